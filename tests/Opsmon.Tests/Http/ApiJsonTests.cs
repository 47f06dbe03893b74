using System.Text;
using System.Text.Json;
using Opsmon.Core.Series;
using Opsmon.Http;
using Opsmon.Query;

namespace Opsmon.Tests.Http;

/// <summary>
/// The Prometheus API's "data" text for query results, byte for byte: times as JSON numbers in seconds with
/// millisecond precision and no trailing zeros, values as strings in Go's 'f' format, NaN and ±Inf spelled as
/// Prometheus spells them (the '+' not escaped).
/// </summary>
public sealed class ApiJsonTests
{
    private static string Write(QueryValue value)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            ApiJson.WriteQueryData(w, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void A_matrix_is_written_with_prometheus_number_and_special_value_text()
    {
        Point[] points =
        [
            new(1_700_000_000_123, 0.1),
            new(1_700_000_000_100, -2),
            new(1_700_000_000_000, 123456789.125),
            new(-1_500, 1.5e-20),
            new(0, 1e21),
            new(15_000, double.NaN),
            new(30_000, double.PositiveInfinity),
            new(45_000, double.NegativeInfinity),
        ];
        var matrix = new MatrixValue([new Series(Labels.From(("__name__", "up"), ("job", "a")), points)]);

        Assert.Equal(
            """{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[""" +
            """[1700000000.123,"0.1"],[1700000000.1,"-2"],[1700000000,"123456789.125"],[-1.5,"0.000000000000000000015"],""" +
            """[0,"1000000000000000000000"],[15,"NaN"],[30,"+Inf"],[45,"-Inf"]]}]}""",
            Write(matrix));
    }

    [Fact]
    public void A_vector_and_a_scalar_use_the_same_point_text()
    {
        var vector = new VectorValue([new Sample(Labels.From(("__name__", "x")), 1_700_000_000_500, 42)]);

        Assert.Equal("""{"resultType":"vector","result":[{"metric":{"__name__":"x"},"value":[1700000000.5,"42"]}]}""", Write(vector));
        Assert.Equal("""{"resultType":"scalar","result":[1.001,"+Inf"]}""", Write(new ScalarValue(1_001, double.PositiveInfinity)));
    }

    [Fact]
    public void What_is_written_reads_back_to_the_same_values()
    {
        Point[] points = [new(1_000, 0.1), new(2_000, double.NaN), new(3_000, double.NegativeInfinity), new(4_000, 5e-324)];
        var matrix = new MatrixValue([new Series(Labels.From(("__name__", "m")), points)]);

        using var json = JsonDocument.Parse(Write(matrix));
        var back = Assert.IsType<MatrixValue>(ApiJson.ReadQueryData(json.RootElement));

        var read = Assert.Single(back.Series).Points;
        Assert.Equal(points.Select(p => p.T), read.Select(p => p.T));
        Assert.Equal(points.Select(p => BitConverter.DoubleToInt64Bits(p.V)), read.Select(p => BitConverter.DoubleToInt64Bits(p.V)));
    }
}
