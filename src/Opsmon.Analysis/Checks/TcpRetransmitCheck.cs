namespace Opsmon.Analysis.Checks;

/// <summary>Retransmitted TCP segments as a share of segments sent: packet loss or congestion on the path.</summary>
public sealed class TcpRetransmitCheck : IDoctorCheck
{
    public string Name => "network.tcp_retransmits";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var retrans = context.Data.Rate("node_netstat_Tcp_RetransSegs");
        var sent = context.Data.Rate("node_netstat_Tcp_OutSegs");
        if (double.IsNaN(retrans) || double.IsNaN(sent))
        {
            yield break;
        }

        var t = context.Thresholds;
        var percent = sent > 0 ? retrans / sent * 100 : 0;
        // With little traffic a handful of retransmits makes a large ratio that means nothing.
        var severity = sent < t.TcpRetransmitMinSegmentsPerSecond
            ? Severity.Ok
            : Judge.Above(percent, t.TcpRetransmitWarningPercent, t.TcpRetransmitCriticalPercent);
        yield return Judge.Make(Name, severity, "network",
            Judge.Num(percent, 2) + "% of TCP segments were retransmitted (" + Judge.Num(retrans) + " of " + Judge.Num(sent) + " per second).",
            "Packets are lost on the path: check interface errors and drops, the MTU, and the peers (ss -ti shows retransmits per connection).",
            [new Evidence("retransmit_ratio", percent, "percent"), new Evidence("retransmits", retrans, "1/s"), new Evidence("segments_sent", sent, "1/s")]);
    }
}
