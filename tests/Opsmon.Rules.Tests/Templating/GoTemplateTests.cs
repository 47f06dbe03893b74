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

    [Fact]
    public void Range_over_a_map_visits_keys_in_order_with_key_and_element_variables() =>
        Assert.Equal("__name__=up;instance=h1;", Expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}"));

    [Fact]
    public void Range_sets_dot_to_each_element() => Assert.Equal("[up][h1]", Expand("{{ range .Labels }}[{{ . }}]{{ end }}"));

    [Fact]
    public void Range_with_one_variable_binds_the_element() => Assert.Equal("up,h1,", Expand("{{ range $e := $labels }}{{ $e }},{{ end }}"));

    [Fact]
    public void Range_over_an_empty_map_runs_its_else_branch() =>
        Assert.Equal("none", GoTemplate.Expand("t", "{{ range $labels }}x{{ else }}none{{ end }}", new TemplateData(new Dictionary<string, string>(), new Dictionary<string, string>(), string.Empty, 0)));

    [Fact]
    public void Break_and_continue_stop_or_skip_the_range() =>
        Assert.Equal("h1", Expand("{{ range $k, $v := $labels }}{{ if eq $k \"__name__\" }}{{ continue }}{{ end }}{{ $v }}{{ break }}{{ end }}"));

    [Fact]
    public void Range_over_a_string_is_an_execution_error() =>
        Assert.Contains("range can't iterate over h1", Expand("{{ range $labels.instance }}x{{ end }}"), StringComparison.Ordinal);

    [Fact]
    public void With_sets_dot_when_the_value_is_non_empty()
    {
        const string Text = "{{ with $labels.instance }}on {{ . }}{{ else }}local{{ end }}";

        Assert.Equal(("on h1", "local"), (Expand(Text), Expand(Text, instance: string.Empty)));
    }

    [Fact]
    public void With_declares_a_variable_for_its_body() => Assert.Equal("h1/h1", Expand("{{ with $i := $labels.instance }}{{ $i }}/{{ . }}{{ end }}"));

    [Fact]
    public void Dollar_is_the_root_data_inside_range_and_with() =>
        Assert.Equal("h1 0.5 lab", Expand("{{ with $labels }}{{ .instance }} {{ $.Value }} {{ $.ExternalLabels.site }}{{ end }}"));

    [Fact]
    public void Template_runs_a_defined_template_with_the_given_dot() =>
        Assert.Equal("<h1><<no value>>", Expand("{{ define \"tag\" }}<{{ . }}>{{ end }}{{ template \"tag\" $labels.instance }}{{ template \"tag\" }}"));

    [Fact]
    public void Dollar_in_a_defined_template_is_its_argument() =>
        Assert.Equal("h1", Expand("{{ define \"i\" }}{{ $.instance }}{{ end }}{{ template \"i\" $labels }}"));

    [Fact]
    public void Block_defines_and_runs_in_place() => Assert.Equal("[h1]", Expand("{{ block \"b\" $labels.instance }}[{{ . }}]{{ end }}"));

    [Fact]
    public void Undefined_template_is_an_execution_error() =>
        Assert.Contains("template \"nope\" not defined", Expand("{{ template \"nope\" }}"), StringComparison.Ordinal);

    [Fact]
    public void Recursive_template_stops_at_the_depth_limit() =>
        Assert.Contains("exceeded maximum template depth", Expand("{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}"), StringComparison.Ordinal);

    [Fact]
    public void Assignment_changes_the_outer_variable_and_declarations_end_with_their_block() =>
        Assert.Equal("2", Expand("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $x := 3 }}{{ end }}{{ $x }}"));

    [Fact]
    public void Assigning_an_undeclared_variable_is_an_execution_error() =>
        Assert.Contains("undefined variable: $y", Expand("{{ $y = 1 }}"), StringComparison.Ordinal);

    [Fact]
    public void Dot_at_the_root_prints_the_template_data_like_a_go_struct() =>
        Assert.Equal("{map[__name__:up instance:h1] map[site:lab] http://opsmon.local 0.5}", Expand("{{ . }}"));

    [Theory]
    [InlineData("{{ define \"x\" }}{{ $labels.job }}{{ end }}", "undefined variable \"$labels\"")]
    [InlineData("{{ range $k, $v := $labels }}{{ end }}{{ $k }}", "undefined variable \"$k\"")]
    [InlineData("{{ break }}", "{{break}} outside {{range}}")]
    [InlineData("{{ range $labels }}{{ else }}{{ continue }}{{ end }}", "{{continue}} outside {{range}}")]
    [InlineData("{{ if true }}{{ define \"x\" }}a{{ end }}{{ end }}", "unexpected <define> in command")]
    [InlineData("{{ define \"x\" }}a{{ end }}{{ define \"x\" }}b{{ end }}", "template: multiple definition of template \"x\"")]
    [InlineData("{{ with $a, $b := 1 }}{{ end }}", "too many declarations in with")]
    [InlineData("{{ with 1 }}{{ else if 2 }}x{{ end }}", "unexpected <if> in input")]
    [InlineData("{{ define x }}{{ end }}", "unexpected \"x\" in define clause")]
    [InlineData("{{ range $labels }}x", "unexpected EOF")]
    public void Control_structures_are_checked_at_parse_time_like_go(string text, string error)
    {
        Assert.Null(GoTemplate.TryParse("t", text, out var message));
        Assert.Equal("template: t:1: " + error, message);
    }
}

