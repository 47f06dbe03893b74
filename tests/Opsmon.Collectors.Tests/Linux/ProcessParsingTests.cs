using Opsmon.Collectors.Linux.Processes;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>The /proc/PID file parsers and label helpers of the process collector.</summary>
public sealed class ProcessParsingTests
{
    [Fact]
    public void Stat_fields_after_a_comm_holding_parentheses_are_read_from_the_last_one()
    {
        var line = "77 (a) b) (c) R 5 77 77 0 -1 4194560 11 0 3 0 40 60 0 0 20 0 4 0 900 8192 12 18446744073709551615\n"u8;

        Assert.True(ProcStat.TryParse(line, out var stat, out var comm));

        Assert.Equal("a) b) (c", System.Text.Encoding.UTF8.GetString(comm));
        Assert.Equal(new ProcStat((byte)'R', 5, 11, 3, 40, 60, 4, 900, 8192, 12), stat);
    }

    [Fact]
    public void Truncated_stat_is_rejected()
    {
        Assert.False(ProcStat.TryParse("77 (a) R 5 77"u8, out _, out _));
    }

    [Fact]
    public void Cmdline_label_is_cut_to_80_characters()
    {
        var label = Cmdline.ToLabel(["/bin/long", new string('x', 200)], "long");

        Assert.Equal(80, label.Length);
        Assert.StartsWith("/bin/long xxx", label, StringComparison.Ordinal);
    }

    [Fact]
    public void Cmdline_without_trailing_nul_keeps_its_last_argument()
    {
        Assert.Equal(["nginx: worker process"], Cmdline.ParseArgv("nginx: worker process"u8));
        Assert.Equal(["a", "", "b"], Cmdline.ParseArgv("a\0\0b\0"u8));
    }

    [Fact]
    public void Limits_unlimited_open_files_is_max_value()
    {
        Assert.Equal(ulong.MaxValue, ProcLimits.OpenFilesSoftLimit("Limit  Soft Limit  Hard Limit  Units\nMax open files            unlimited            unlimited            files\n"u8));
    }

    [Theory]
    [InlineData("/usr/bin/python3", "python3")]
    [InlineData("python3", "python3")]
    [InlineData("/opt/app/", "app")]
    [InlineData("", ".")]
    public void Exe_base_name_follows_go_filepath_base(string path, string expected)
    {
        Assert.Equal(expected, ProcessAttributes.BaseName(path));
    }
}
