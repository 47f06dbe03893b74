using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>From /proc/PID/status: state letter, swap, context switches and the effective uid.</summary>
internal readonly record struct ProcStatus(byte State, ulong SwapBytes, ulong VoluntaryCtxSwitches, ulong NonvoluntaryCtxSwitches, int EffectiveUid)
{
    public static ProcStatus Parse(ReadOnlySpan<byte> content)
    {
        ulong swapKb = 0, voluntary = 0, nonvoluntary = 0;
        var uid = -1;
        byte state = 0;
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!KeyValue.Split(line, out var key, out var value))
            {
                continue;
            }

            if (key.SequenceEqual("State"u8))
            {
                // "State:\tS (sleeping)": the same letter as stat's state field.
                state = Span.NextField(ref value, out var letter) ? letter[0] : (byte)0;
            }
            else if (key.SequenceEqual("Uid"u8))
            {
                // Real, effective, saved, filesystem: process-exporter's Username is the effective one.
                _ = Span.NextField(ref value, out _);
                if (Span.NextField(ref value, out var effective) && Span.TryParseInt64(effective, out var parsed))
                {
                    uid = (int)parsed;
                }
            }
            else if (key.SequenceEqual("VmSwap"u8))
            {
                swapKb = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("voluntary_ctxt_switches"u8))
            {
                voluntary = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("nonvoluntary_ctxt_switches"u8))
            {
                nonvoluntary = Span.NextUInt64(ref value);
            }
        }

        return new ProcStatus(state, swapKb * 1024, voluntary, nonvoluntary, uid);
    }
}

/// <summary>From /proc/PID/io: bytes the process caused to be fetched from and sent to storage.</summary>
internal readonly record struct ProcIo(ulong ReadBytes, ulong WriteBytes)
{
    public static ProcIo Parse(ReadOnlySpan<byte> content)
    {
        ulong read = 0, write = 0;
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!KeyValue.Split(line, out var key, out var value))
            {
                continue;
            }

            if (key.SequenceEqual("read_bytes"u8))
            {
                read = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("write_bytes"u8))
            {
                write = Span.NextUInt64(ref value);
            }
        }

        return new ProcIo(read, write);
    }
}

/// <summary>From /proc/PID/smaps_rollup, in bytes: proportional set, proportional swap and unique (private) set.</summary>
internal readonly record struct SmapsRollup(ulong PssBytes, ulong SwapPssBytes, ulong UssBytes)
{
    public static SmapsRollup Parse(ReadOnlySpan<byte> content)
    {
        ulong pss = 0, swapPss = 0, privateClean = 0, privateDirty = 0;
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!KeyValue.Split(line, out var key, out var value))
            {
                continue;
            }

            if (key.SequenceEqual("Pss"u8))
            {
                pss = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("SwapPss"u8))
            {
                swapPss = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("Private_Clean"u8))
            {
                privateClean = Span.NextUInt64(ref value);
            }
            else if (key.SequenceEqual("Private_Dirty"u8))
            {
                privateDirty = Span.NextUInt64(ref value);
            }
        }

        return new SmapsRollup(pss * 1024, swapPss * 1024, (privateClean + privateDirty) * 1024);
    }
}

/// <summary>/proc/PID/limits: the soft limit on open files.</summary>
public static class ProcLimits
{
    /// <summary>The "Max open files" soft limit; <see cref="ulong.MaxValue"/> for "unlimited", 0 when absent.</summary>
    public static ulong OpenFilesSoftLimit(ReadOnlySpan<byte> content)
    {
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!line.StartsWith("Max open files"u8))
            {
                continue;
            }

            var value = line["Max open files"u8.Length..];
            if (!Span.NextField(ref value, out var soft))
            {
                return 0;
            }

            if (soft.SequenceEqual("unlimited"u8))
            {
                return ulong.MaxValue;
            }

            return Span.TryParseUInt64(soft, out var limit) ? limit : 0;
        }

        return 0;
    }
}

/// <summary>"Key: value" lines (status, io, smaps_rollup).</summary>
internal static class KeyValue
{
    public static bool Split(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            key = default;
            value = default;
            return false;
        }

        key = line[..colon];
        value = line[(colon + 1)..];
        return true;
    }
}
