namespace Opsmon.Collectors;

/// <summary>
/// The one seam over the machine: every reader of /proc, /sys and /run resolves its paths through this
/// root, so tests point it at a recorded tree. <c>new FsRoot("/")</c> reads the live machine.
/// </summary>
public sealed record FsRoot(string Path)
{
    public static FsRoot Live { get; } = new("/");

    public string Proc(string relative) => System.IO.Path.Join(Path, "proc", relative);

    public string Sys(string relative) => System.IO.Path.Join(Path, "sys", relative);

    public string Run(string relative) => System.IO.Path.Join(Path, "run", relative);

    public string Etc(string relative) => System.IO.Path.Join(Path, "etc", relative);

    public string Usr(string relative) => System.IO.Path.Join(Path, "usr", relative);

    /// <summary>A path on the machine's root file system (where mount points live).</summary>
    public string Rooted(string absolute) => System.IO.Path.Join(Path, absolute);

    public bool IsLive => Path == "/";
}
