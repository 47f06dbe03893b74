using Opsmon.Configuration;

namespace Opsmon.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string File = "/etc/opsmon/opsmon.yml";

    private static string Error(string yaml) => ConfigText.Error(yaml, File);

    [Fact]
    public void An_empty_file_gives_the_embedded_defaults()
    {
        var config = ConfigLoader.Parse(string.Empty, File).Config!;

        Assert.Equal("127.0.0.1:9184", config.Listen);
        Assert.Equal(TimeSpan.FromSeconds(15), config.Interval);
        Assert.Equal(TimeSpan.FromDays(30), config.Retention);
        Assert.Equal(0, config.RetentionBytes);
        Assert.Equal(20, config.CollectorOptions.TopProcesses);
        Assert.Empty(config.RuleFiles);
        Assert.True(config.Routing.IsEmpty);
        Assert.True(config.Actions.IsEmpty);
    }

    [Fact]
    public void Values_given_are_read()
    {
        var config = ConfigLoader.Parse("""
            listen: 127.0.0.1:9999
            interval: 5s
            retention: 7d
            retention_size: 2GB
            process:
              top: 5
            """, File).Config!;

        Assert.Equal("127.0.0.1:9999", config.Listen);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Interval);
        Assert.Equal(TimeSpan.FromDays(7), config.Retention);
        Assert.Equal(2L << 30, config.RetentionBytes);
        Assert.Equal(5, config.CollectorOptions.TopProcesses);
    }

    [Fact]
    public void An_unknown_key_is_an_error_with_its_line_and_column()
    {
        var error = Error("""
            listen: 127.0.0.1:9184
            process:
              top: 5
              smapz: true
            """);

        Assert.StartsWith($"{File}:4:3: unknown key 'smapz'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_names_the_line_of_its_key_and_what_is_valid()
    {
        var error = Error("""
            listen: 127.0.0.1:9184

            interval: 0.5s
            """);

        Assert.Equal($"{File}:3:1: interval: '0.5s' is not a duration between 1s and 1h (for example 15s).", error);
    }

    [Fact]
    public void A_nested_bad_value_names_the_nested_key()
    {
        var error = Error("""
            remote_write:
              - url: http://127.0.0.1:9090/api/v1/write
              - url: ftp://example
            """);

        Assert.Equal($"{File}:3:5: remote_write[1].url: 'ftp://example' is not an http(s) URL.", error);
    }

    [Fact]
    public void Every_error_is_reported_and_nothing_loads()
    {
        var result = ConfigLoader.Parse("""
            interval: 2h
            retention: 10m
            process:
              top: 5000
            """, File);

        Assert.Null(result.Config);
        var lines = result.Error!.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"{File}:4:3: process.top:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{File}:1:1: interval:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{File}:2:1: retention:", StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_yaml_is_an_error_with_its_position()
    {
        var error = Error("listen: [unclosed\n");

        Assert.StartsWith($"{File}:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rule_files_are_relative_to_the_config_file()
    {
        var config = ConfigLoader.Parse("rule_files: [rules/*.yml, /abs/x.yml]", File).Config!;

        Assert.Equal(["/etc/opsmon/rules/*.yml", "/abs/x.yml"], config.RuleFiles);
    }
}

public sealed class YamlLocatorTests
{
    private const string Yaml = """
        actions:
          - name: a
            type: script
          - name: b
            timeout: 5s
        route:
          receiver: x
        """;

    [Theory]
    [InlineData("actions", 1, 1)]
    [InlineData("actions[0]", 2, 5)]
    [InlineData("actions[1].timeout", 5, 5)]
    [InlineData("route.receiver", 7, 3)]
    public void Finds_the_key_of_a_path(string keyPath, int line, int column)
    {
        var mark = new YamlLocator(Yaml).Find(keyPath);

        Assert.NotNull(mark);
        Assert.Equal((line, column), (mark.Value.Line, mark.Value.Column));
    }

    [Fact]
    public void A_missing_key_is_located_at_its_nearest_parent()
    {
        var mark = new YamlLocator(Yaml).Find("actions[1].grace_period");

        Assert.Equal(4, mark!.Value.Line);
    }

    [Fact]
    public void A_document_that_does_not_parse_has_no_positions()
    {
        var locator = new YamlLocator("a: [");

        Assert.Null(locator.Find("a"));
        Assert.Equal("f.yml: a: bad", locator.Error("f.yml", "a", "bad"));
    }
}
