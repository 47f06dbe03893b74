using Opsmon.Tests.Support;

namespace Opsmon.Tests.Commands;

public sealed class RunCommandTests
{
    [Theory]
    [InlineData("127.0.0.1", "not HOST:PORT")]
    [InlineData("127.0.0.1:99999", "port")]
    [InlineData("example.org:9184", "not an IP address")]
    [InlineData("127.0.0.1:http", "port")]
    public async Task Invalid_listen_address_exits_2_and_says_why(string listen, string reason)
    {
        var result = await CliRun.RunAsync("run", "--listen", listen);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--listen", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_with_an_unknown_key_exits_2_naming_file_line_and_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "listen: 127.0.0.1:9999\nprocess:\n  top: 5\n  colour: blue\n");
            var result = await CliRun.RunAsync("run", "--config", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{file}:4", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("colour", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Config_naming_an_unknown_collector_exits_2()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "collectors:\n  nosuch: true\n");
            var result = await CliRun.RunAsync("metrics", "--config", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("collectors.nosuch", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_one_clear_line_and_no_stack_trace()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var data = Directory.CreateTempSubdirectory("opsmon-port-");
        try
        {
            await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", data.FullName);

            Assert.Equal(1, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"opsmon: --listen 127.0.0.1:{port}: cannot listen: the address is already in use", agent.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", agent.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", agent.Output, StringComparison.Ordinal);
            Assert.Empty(data.EnumerateFileSystemInfos()); // the store was not opened
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
