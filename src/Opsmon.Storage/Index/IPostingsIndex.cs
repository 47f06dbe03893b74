namespace Opsmon.Storage.Index;

/// <summary>What matcher evaluation needs from an index, the head's or a block's: postings are sorted series refs.</summary>
internal interface IPostingsIndex
{
    IReadOnlyList<ulong> AllPostings();

    /// <summary>Every value <paramref name="name"/> takes, in any order.</summary>
    IReadOnlyCollection<string> ValuesOf(string name);

    IReadOnlyList<ulong> Postings(string name, string value);
}
