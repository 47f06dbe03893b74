using Opsmon.Rules.Templating;

namespace Opsmon.Rules.Tests.Templating;

public sealed class GoTemplateTests
{
    private static string Expand(string text, double value = 0.5, string instance = "h1") =>
        GoTemplate.Expand("t", text, new TemplateData(
            new Dictionary<string, string> { ["instance"] = instance, ["__name__"] = "up" },
            new Dictionary<string, string> { ["site"] = "lab" },
            "http://opsmon.local",
            value));

    [Fact]
    public void Labels_value_and_external_labels_are_substituted() =>
        Assert.Equal("h1 0.5 lab", Expand("{{ $labels.instance }} {{ $value }} {{ $externalLabels.site }}"));

    [Fact]
    public void Missing_label_expands_to_empty() => Assert.Equal("[]", Expand("[{{ $labels.nothere }}]"));

    [Fact]
    public void Dot_fields_reach_the_same_data() => Assert.Equal("h1 0.5", Expand("{{ .Labels.instance }} {{ .Value }}"));

    [Theory]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(123456, "123456")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(2, "2")]
    public void Value_prints_like_go_default_float_format(double value, string expected) =>
        Assert.Equal(expected, Expand("{{ $value }}", value));

    [Fact]
    public void Printf_formats_with_precision() => Assert.Equal("0.67", Expand("{{ printf \"%.2f\" $value }}", 2.0 / 3));

    [Fact]
    public void Pipeline_passes_value_as_last_argument() => Assert.Equal("2.048M", Expand("{{ $value | humanize }}", 2048000));

    [Fact]
    public void Trim_markers_remove_adjacent_space() => Assert.Equal("a0.5b", Expand("a  {{- $value -}}  b"));

    [Fact]
    public void If_else_chooses_by_condition()
    {
        const string Text = "{{ if gt $value 0.8 }}high{{ else }}low{{ end }}";

        Assert.Equal(("high", "low"), (Expand(Text, 0.9), Expand(Text, 0.1)));
    }

    [Fact]
    public void Unknown_function_fails_to_parse_like_go()
    {
        Assert.Null(GoTemplate.TryParse("__alert_X", "{{ humanise $value }}", out var error));
        Assert.Equal("template: __alert_X:1: function \"humanise\" not defined", error);
    }

    [Fact]
    public void Unclosed_action_fails_to_parse()
    {
        Assert.Null(GoTemplate.TryParse("t", "{{ $value ", out var error));
        Assert.Contains("unclosed action", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_variable_fails_to_parse()
    {
        Assert.Null(GoTemplate.TryParse("t", "{{ $lables.x }}", out var error));
        Assert.Contains("undefined variable \"$lables\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Execution_error_expands_to_the_error_text() =>
        Assert.StartsWith("<error expanding template: template: t:1: error calling humanize", Expand("{{ humanize \"abc\" }}"), StringComparison.Ordinal);

    [Fact]
    public void Text_without_actions_is_unchanged() => Assert.Equal("plain {text}", Expand("plain {text}"));
}
