namespace Opsmon.Core.Series;

/// <summary>One label pair.</summary>
public readonly record struct Label(string Name, string Value);
