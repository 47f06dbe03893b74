using System.Text;
using Opsmon.Agent;

namespace Opsmon.Tests.Agent;

public sealed class ProcessStatTests
{
    [Fact]
    public void Stat_fields_count_from_the_last_parenthesis_so_odd_command_names_do_not_shift_them()
    {
        // A name with a space and a ')' of its own; nice is negative.
        var line = "4242 (we ird) x) S 1 4242 4242 0 -1 4194560 7123 0 12 0 250 75 0 0 20 -5 14 0 98765 2147483648 10240 "
            + "18446744073709551615 1 1 0 0 0 0 0 4096 17664 0 0 0 17 1 0 0 0 0 0\n";

        Assert.True(ProcessStat.TryParse(Encoding.ASCII.GetBytes(line), out var stat));
        Assert.Equal(new ProcessStat(UserTicks: 250, SystemTicks: 75, StartTicks: 98765, VirtualBytes: 2147483648, ResidentPages: 10240), stat);
    }

    [Theory]
    [InlineData("4242 (cut) S 1 2 3")]
    [InlineData("no name at all")]
    [InlineData("4242 (bad) S 1 4242 4242 0 -1 4194560 7123 0 12 0 2x0 75 0 0 20 0 14 0 98765 2147483648 10240")]
    public void A_cut_or_malformed_stat_line_is_rejected(string line) =>
        Assert.False(ProcessStat.TryParse(Encoding.ASCII.GetBytes(line), out _));

    [Fact]
    public void Max_open_files_is_the_soft_limit()
    {
        var limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max cpu time              unlimited            unlimited            seconds
            Max open files            1024                 524288               files
            Max locked memory         8388608              8388608              bytes
            """;

        Assert.True(ProcessStat.TryParseMaxOpenFiles(Encoding.ASCII.GetBytes(limits), out var soft));
        Assert.Equal(1024UL, soft);
        Assert.False(ProcessStat.TryParseMaxOpenFiles("Max open files            unlimited            unlimited            files\n"u8, out _));
    }
}
