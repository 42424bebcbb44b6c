using System.Text.RegularExpressions;
using SenderAuth.Tests.Interop;

namespace SenderAuth.Tests.Metrics;

/// <summary>
/// The server's own log messages (SenderAuth.Server's and SenderAuth.Store's, whose feature folders share names) all
/// carry an event id from the scheme in the store's Hosting/LogEvents.cs (a block per feature folder), each id used
/// once, so an alert or a log query can name a message by its id. Read from the sources: the ids of direct
/// <c>Log*(new EventId(…))</c> calls exist nowhere else.
/// </summary>
[Trait("Layer", "server")]
public sealed partial class LogEventIdTests
{
    private static readonly string[] Projects =
        [Path.Combine(PeerTool.RepoRoot, "src", "SenderAuth.Server"), Path.Combine(PeerTool.RepoRoot, "src", "SenderAuth.Store")];

    /// <summary>Each source file, named relative to its project (so its first folder is its feature).</summary>
    private static IEnumerable<(string File, string Text)> Sources() =>
        Projects.SelectMany(project => Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != "LogEvents.cs")
            .Select(f => (Path.GetRelativePath(project, f), File.ReadAllText(f))));

    [Fact]
    public void EveryLogMessage_HasAnEventId_FromItsFeatureBlock_UsedOnce()
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var count = 0;
        foreach (var (file, text) in Sources())
        {
            var feature = file.Split(Path.DirectorySeparatorChar)[0];
            foreach (Match m in LoggerMessageWithoutId().Matches(text))
            {
                problems.Add($"{file}: [LoggerMessage] without EventId = LogEvents.{feature} + n: {m.Value}");
            }
            foreach (Match m in DirectCallWithoutId().Matches(text))
            {
                problems.Add($"{file}: a log call without new EventId(LogEvents.{feature} + n): {m.Value}");
            }
            foreach (Match m in Id().Matches(text))
            {
                count++;
                var id = $"{m.Groups[1].Value} + {m.Groups[2].Value}";
                if (m.Groups[1].Value != feature)
                {
                    problems.Add($"{file}: LogEvents.{id} is outside its feature's block (LogEvents.{feature})");
                }
                if (int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > 99)
                {
                    problems.Add($"{file}: LogEvents.{id}: the number within a block is 1-99");
                }
                if (!seen.TryAdd(id, file))
                {
                    problems.Add($"{file}: LogEvents.{id} is used in {seen[id]} too");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(count > 50, $"only {count} event ids found under {string.Join(", ", Projects)}");
    }

    [GeneratedRegex(@"\[LoggerMessage\((?!EventId = LogEvents\.)[^\]]*\]")]
    private static partial Regex LoggerMessageWithoutId();

    [GeneratedRegex(@"\.Log(Trace|Debug|Information|Warning|Error|Critical)\((?!new EventId\(LogEvents\.)[^;]*;")]
    private static partial Regex DirectCallWithoutId();

    [GeneratedRegex(@"LogEvents\.(\w+) \+ (\d+)")]
    private static partial Regex Id();
}
