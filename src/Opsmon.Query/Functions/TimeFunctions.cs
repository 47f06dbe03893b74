using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>Calendar functions over sample values read as Unix seconds (UTC); with no argument they use the evaluation time.</summary>
internal static class TimeFunctions
{
    public static IEnumerable<FunctionDef> Definitions() =>
    [
        Date("day_of_month", static d => d.Day),
        Date("day_of_week", static d => (int)d.DayOfWeek),
        Date("day_of_year", static d => d.DayOfYear),
        Date("days_in_month", static d => DateTime.DaysInMonth(d.Year, d.Month)),
        Date("hour", static d => d.Hour),
        Date("minute", static d => d.Minute),
        Date("month", static d => d.Month),
        Date("year", static d => d.Year),
    ];

    private static FunctionDef Date(string name, Func<DateTimeOffset, double> f) =>
        new(name, [ValueKind.Vector], 1, ValueKind.Vector, ctx =>
        {
            if (ctx.Args.Count == 0)
            {
                return new EvalVector([new Sample(Labels.Empty, ctx.Ts, Apply(f, ctx.Ts / 1000.0))]);
            }

            return MathFunctions.Map(ctx, v => Apply(f, v));
        });

    private static double Apply(Func<DateTimeOffset, double> f, double seconds)
    {
        if (!double.IsFinite(seconds) || Math.Abs(seconds) > 2e11)
        {
            return double.NaN;
        }

        return f(DateTimeOffset.UnixEpoch.AddSeconds(Math.Truncate(seconds)));
    }
}
