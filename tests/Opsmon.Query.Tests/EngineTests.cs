using Opsmon.Core.Series;
using Opsmon.Query.PromqlTest;

namespace Opsmon.Query.Tests;

public sealed class EngineTests
{
    private static MemoryStorage Storage(int samples = 11)
    {
        var storage = new MemoryStorage();
        for (var i = 0; i < samples; i++)
        {
            storage.Append(Labels.From(("__name__", "up"), ("job", "a")), i * 60_000L, i);
            storage.Append(Labels.From(("__name__", "up"), ("job", "b")), i * 60_000L, i * 2);
        }

        return storage;
    }

    private static QueryEngine Engine(EngineOptions? options = null, TimeProvider? time = null) =>
        new(Storage(), options ?? new EngineOptions(), time ?? TimeProvider.System);

    [Fact]
    public void Instant_vector_samples_carry_the_evaluation_time()
    {
        var result = Engine().InstantQuery("up", 150_000);

        var vector = Assert.IsType<VectorValue>(result.Value);
        Assert.Equal(2, vector.Samples.Count);
        Assert.All(vector.Samples, static s => Assert.Equal(150_000, s.T));
        Assert.Equal(2, vector.Samples.Single(static s => s.Metric.Get("job") == "a").V);
    }

    [Fact]
    public void Instant_query_of_a_scalar_returns_a_scalar()
    {
        var result = Engine().InstantQuery("1 + 1", 4000);

        Assert.Equal(new ScalarValue(4000, 2), result.Value);
        Assert.Equal("scalar", result.Value!.ResultType);
    }

    [Fact]
    public void Instant_query_of_a_string_returns_a_string()
    {
        Assert.Equal(new StringValue(0, "hello"), Engine().InstantQuery("\"hello\"", 0).Value);
    }

    [Fact]
    public void Instant_query_of_a_range_selector_returns_a_matrix()
    {
        var matrix = Assert.IsType<MatrixValue>(Engine().InstantQuery("up{job=\"a\"}[2m]", 180_000).Value);

        Assert.Equal([new Point(60_000, 1), new Point(120_000, 2), new Point(180_000, 3)], Assert.Single(matrix.Series).Points);
    }

    [Fact]
    public void Range_query_evaluates_at_each_step_and_sorts_series()
    {
        var matrix = Assert.IsType<MatrixValue>(Engine().RangeQuery("up * 10", 0, 120_000, 60_000).Value);

        Assert.Equal(["a", "b"], matrix.Series.Select(static s => s.Metric.Get("job")));
        Assert.Equal([new Point(0, 0), new Point(60_000, 10), new Point(120_000, 20)], matrix.Series[0].Points);
    }

    [Fact]
    public void Range_query_of_a_scalar_gives_one_series_without_labels()
    {
        var matrix = Assert.IsType<MatrixValue>(Engine().RangeQuery("time()", 0, 60_000, 30_000).Value);

        Assert.Equal([0.0, 30, 60], Assert.Single(matrix.Series).Points.Select(static p => p.V));
    }

    [Fact]
    public void Range_query_rejects_a_range_vector_expression()
    {
        var result = Engine().RangeQuery("up[5m]", 0, 60_000, 60_000);

        Assert.Equal(ErrorType.BadData, result.ErrorType);
        Assert.Equal("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector", result.Error);
    }

    [Fact]
    public void Bad_input_is_a_bad_data_error_not_an_exception()
    {
        var result = Engine().InstantQuery("sum(up", 0);

        Assert.Equal(ErrorType.BadData, result.ErrorType);
        Assert.StartsWith("1:7: parse error:", result.Error, StringComparison.Ordinal);
        Assert.Equal("bad_data", result.ErrorType!.Value.ToWireName());
    }

    [Fact]
    public void Lookback_delta_is_configurable()
    {
        var engine = Engine(new EngineOptions { LookbackDelta = TimeSpan.FromSeconds(30) });

        Assert.Empty(Assert.IsType<VectorValue>(engine.InstantQuery("up", 31 * 60_000).Value).Samples);
        Assert.Equal(2, Assert.IsType<VectorValue>(engine.InstantQuery("up", 60_000 + 30_000).Value).Samples.Count);
    }

    [Fact]
    public void Query_fails_with_a_timeout_error_once_the_deadline_passes()
    {
        var time = new SteppingTimeProvider(TimeSpan.FromSeconds(10));
        var engine = Engine(new EngineOptions { Timeout = TimeSpan.FromSeconds(5) }, time);

        var result = engine.InstantQuery("up", 0);

        Assert.Equal(ErrorType.Timeout, result.ErrorType);
        Assert.Equal("query timed out in query execution", result.Error);
    }

    [Fact]
    public void Query_within_the_deadline_succeeds()
    {
        var time = new SteppingTimeProvider(TimeSpan.FromMilliseconds(1));
        var engine = Engine(new EngineOptions { Timeout = TimeSpan.FromSeconds(5) }, time);

        Assert.True(engine.RangeQuery("rate(up[5m])", 0, 600_000, 60_000).IsSuccess);
    }

    [Fact]
    public void Query_fails_as_canceled_when_the_token_is_canceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var result = Engine().InstantQuery("up", 0, cts.Token);

        Assert.Equal(ErrorType.Canceled, result.ErrorType);
        Assert.Equal("query was canceled in query execution", result.Error);
    }

    [Fact]
    public void Query_fails_when_it_would_load_too_many_samples()
    {
        var engine = Engine(new EngineOptions { MaxSamples = 10 });

        var result = engine.InstantQuery("count_over_time(up[10m])", 600_000);

        Assert.Equal(ErrorType.Execution, result.ErrorType);
        Assert.Equal("query processing would load too many samples into memory in query execution", result.Error);
    }

    [Fact]
    public void Sample_limit_counts_the_range_result_built_so_far()
    {
        var engine = Engine(new EngineOptions { MaxSamples = 10 });

        Assert.True(engine.RangeQuery("up", 0, 240_000, 60_000).IsSuccess);
        Assert.Equal(ErrorType.Execution, engine.RangeQuery("up", 0, 600_000, 60_000).ErrorType);
    }

    [Fact]
    public void Many_to_many_matching_is_an_execution_error()
    {
        var result = Engine().InstantQuery("up + on() up", 0);

        Assert.Equal(ErrorType.Execution, result.ErrorType);
        Assert.EndsWith("many-to-many matching not allowed: matching labels must be unique on one side", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_query_rejects_a_non_positive_step()
    {
        Assert.Equal(ErrorType.BadData, Engine().RangeQuery("up", 0, 60_000, 0).ErrorType);
    }

    [Fact]
    public void A_failing_store_is_an_internal_error()
    {
        var engine = new QueryEngine(new FailingQuerier(), new EngineOptions(), TimeProvider.System);

        var result = engine.InstantQuery("up", 0);

        Assert.Equal(ErrorType.Internal, result.ErrorType);
        Assert.Equal("storage error: disk gone", result.Error);
    }

    private sealed class FailingQuerier : IQuerier
    {
        public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
            throw new IOException("disk gone");

        public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => [];

        public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => [];
    }

    /// <summary>Moves time forward by a fixed amount each time it is read, so deadlines pass without waiting.</summary>
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            _ticks += step.Ticks;
            return _ticks;
        }
    }
}
