namespace Opsmon.Analysis.Checks;

/// <summary>Sensors near their critical temperature (hwmon) or above fixed limits (thermal zones), where CPUs throttle.</summary>
public sealed class ThermalCheck : IDoctorCheck
{
    public string Name => "thermal";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        var crit = context.Data.Series("node_hwmon_temp_crit_celsius")
            .GroupBy(static s => (s["chip"], s["sensor"]))
            .ToDictionary(static g => g.Key, static g => g.First().Last);
        foreach (var s in context.Data.Series("node_hwmon_temp_celsius"))
        {
            if (!crit.TryGetValue((s["chip"], s["sensor"]), out var limit) || !(limit > 0))
            {
                continue;
            }

            var margin = limit - s.Max();
            var severity = Judge.Below(margin, t.ThermalWarningMarginCelsius, t.ThermalCriticalMarginCelsius);
            if (severity != Severity.Ok)
            {
                yield return Hot(context, severity, s["chip"] + "/" + s["sensor"], s.Max(), limit);
            }
        }

        foreach (var s in context.Data.Series("node_thermal_zone_temp"))
        {
            var severity = Judge.Above(s.Max(), t.ThermalZoneWarningCelsius, t.ThermalZoneCriticalCelsius);
            if (severity != Severity.Ok)
            {
                yield return Hot(context, severity, "zone" + s["zone"] + "/" + s["type"], s.Max(), double.NaN);
            }
        }
    }

    private Finding Hot(AnalysisContext context, Severity severity, string sensor, double celsius, double critical)
    {
        var top = context.Consumers.Cpu();
        var evidence = new List<Evidence> { new("temperature", celsius, "celsius") };
        if (!double.IsNaN(critical))
        {
            evidence.Add(new Evidence("critical", critical, "celsius"));
        }

        return Judge.Make(Name, severity, "thermal:" + sensor,
            "The sensor " + sensor + " reached " + Judge.Num(celsius) + " °C" +
            (double.IsNaN(critical) ? string.Empty : ", " + Judge.Num(critical - celsius) + " °C below its critical limit") + Judge.Mostly(top) + ".",
            "The hardware throttles or shuts down near its limit: check fans, dust and airflow, and the load of " + (top.Count > 0 ? Judge.Culprit(top) : "the busiest process") + ".",
            evidence,
            top);
    }
}
