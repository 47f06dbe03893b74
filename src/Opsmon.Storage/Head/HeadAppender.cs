using Opsmon.Core.Series;

namespace Opsmon.Storage.Head;

/// <summary>Buffers samples until <see cref="Commit"/>, which logs them to the WAL and adds them to the head together. Reusable after a commit.</summary>
internal sealed class HeadAppender(Tsdb tsdb) : IAppender
{
    private readonly List<(Labels Labels, long Timestamp, double Value)> _pending = [];

    public void Append(Labels labels, long timestamp, double value) => _pending.Add((labels, timestamp, value));

    public void Commit()
    {
        if (_pending.Count > 0)
        {
            tsdb.Commit(_pending);
            _pending.Clear();
        }
    }
}
