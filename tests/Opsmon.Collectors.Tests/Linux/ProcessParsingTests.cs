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
    public void Stat_with_a_space_in_the_name_and_a_negative_nice_reads_its_times_and_sizes()
    {
        // The agent's own stat line is read by this parser too (process_* self metrics).
        var line = "4242 (we ird) x) S 1 4242 4242 0 -1 4194560 7123 0 12 0 250 75 0 0 20 -5 14 0 98765 2147483648 10240 "
            + "18446744073709551615 1 1 0 0 0 0 0 4096 17664 0 0 0 17 1 0 0 0 0 0\n";

        Assert.True(ProcStat.TryParse(System.Text.Encoding.ASCII.GetBytes(line), out var stat, out _));
        Assert.Equal((250UL, 75UL, 98765UL, 2147483648UL, 10240UL), (stat.UserTicks, stat.SystemTicks, stat.StartTicks, stat.VirtualBytes, stat.ResidentPages));
    }

    [Theory]
    [InlineData("77 (a) R 5 77")]
    [InlineData("no name at all")]
    [InlineData("4242 (bad) S 1 4242 4242 0 -1 4194560 7123 0 12 0 2x0 75 0 0 20 0 14 0 98765 2147483648 10240")]
    public void Truncated_or_malformed_stat_is_rejected(string line)
    {
        Assert.False(ProcStat.TryParse(System.Text.Encoding.ASCII.GetBytes(line), out _, out _));
    }

    [Fact]
    public void Boot_time_is_the_btime_line_of_proc_stat()
    {
        Assert.True(SystemStat.TryParseBootTime("cpu  1 2 3\nintr 5\nbtime 1764100000\nprocesses 9\n"u8, out var boot));
        Assert.Equal(1764100000UL, boot);
        Assert.False(SystemStat.TryParseBootTime("cpu  1 2 3\n"u8, out _));
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
    public void Limits_open_files_is_the_soft_limit()
    {
        var limits = "Limit                     Soft Limit           Hard Limit           Units\n"
            + "Max cpu time              unlimited            unlimited            seconds\n"
            + "Max open files            1024                 524288               files\n"
            + "Max locked memory         8388608              8388608              bytes\n";

        Assert.Equal(1024UL, ProcLimits.OpenFilesSoftLimit(System.Text.Encoding.ASCII.GetBytes(limits)));
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
