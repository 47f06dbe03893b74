namespace Opsmon.Analysis.Checks;

/// <summary>USE errors of each network interface: receive and transmit errors, and drops.</summary>
public sealed class NetworkErrorsCheck : IDoctorCheck
{
    public string Name => "network.errors";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var errors = Rates(context, "node_network_receive_errs_total", "node_network_transmit_errs_total");
        var drops = Rates(context, "node_network_receive_drop_total", "node_network_transmit_drop_total");
        var t = context.Thresholds;
        foreach (var device in errors.Keys.Union(drops.Keys).Order(StringComparer.Ordinal))
        {
            var errorRate = errors.GetValueOrDefault(device);
            var dropRate = drops.GetValueOrDefault(device);
            var errorSeverity = Judge.Above(errorRate, t.NetworkErrorsWarningPerSecond, t.NetworkErrorsCriticalPerSecond);
            var dropSeverity = Judge.Above(dropRate, t.NetworkDropsWarningPerSecond, t.NetworkDropsCriticalPerSecond);
            var evidence = new Evidence[] { new("errors", errorRate, "1/s"), new("drops", dropRate, "1/s") };
            if (errorSeverity != Severity.Ok)
            {
                yield return Judge.Make(Name, errorSeverity, "network:" + device,
                    "The interface " + device + " had " + Judge.Num(errorRate) + " errors per second.",
                    "Errors point at the link: check the cable, the switch port and duplex settings (ethtool -S " + device + "), and the driver's messages in the kernel log.",
                    evidence);
            }

            if (dropSeverity != Severity.Ok)
            {
                yield return Judge.Make("network.drops", dropSeverity, "network:" + device,
                    "The interface " + device + " dropped " + Judge.Num(dropRate) + " packets per second.",
                    "Drops mean full queues: raise the ring buffers (ethtool -G " + device + "), check net.core.netdev_max_backlog, and look for a receiver that cannot keep up.",
                    evidence);
            }

            if (errorSeverity == Severity.Ok && dropSeverity == Severity.Ok)
            {
                yield return Judge.Make(Name, Severity.Ok, "network:" + device,
                    "The interface " + device + " had " + Judge.Num(errorRate) + " errors and " + Judge.Num(dropRate) + " drops per second.",
                    string.Empty,
                    evidence);
            }
        }
    }

    private static Dictionary<string, double> Rates(AnalysisContext context, params string[] metrics)
    {
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            foreach (var s in context.Data.Series(metric))
            {
                var rate = s.Rate();
                if (!double.IsNaN(rate) && s["device"] is not "lo")
                {
                    rates[s["device"]] = rates.GetValueOrDefault(s["device"]) + rate;
                }
            }
        }

        return rates;
    }
}
