using System.CommandLine;

namespace Opsmon.Commands;

/// <summary>The --data option every command that reads or writes the store takes.</summary>
public static class StoreOptions
{
    public static Option<DirectoryInfo?> DataOption() => new("--data")
    {
        Description = "The store's directory (default $XDG_DATA_HOME/opsmon or ~/.local/share/opsmon, or data: in the config).",
    };
}
