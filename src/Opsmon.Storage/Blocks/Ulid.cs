namespace Opsmon.Storage.Blocks;

/// <summary>ULID-style block names: 48-bit millisecond time then 80 random bits, Crockford base32, so names sort by creation.</summary>
internal static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(TimeProvider time)
    {
        var ms = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF;
        var random = ((UInt128)(ulong)Random.Shared.Next(1 << 16) << 64) | (ulong)Random.Shared.NextInt64();
        var value = ((UInt128)ms << 80) | random;
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }

    public static bool IsValid(string name) => name.Length == 26 && name.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
