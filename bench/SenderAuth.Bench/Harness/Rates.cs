using System.Text.Json;

namespace SenderAuth.Bench.Harness;

/// <summary>The rates of one contender: evaluations per second and per CPU second of its process, by case.</summary>
public sealed record Rates(IReadOnlyDictionary<string, double> PerSecond, IReadOnlyDictionary<string, double> PerCpuSecond)
{
    public double this[string name] => PerSecond.TryGetValue(name, out var r) ? r : throw new RowFailedException($"no rate for case {name}");

    public double Cpu(string name) => PerCpuSecond.TryGetValue(name, out var r) ? r : throw new RowFailedException($"no CPU rate for case {name}");

    /// <summary>Reads the JSON every throughput program here prints (ours and the peers': evals_per_s, cpu_evals_per_s).</summary>
    public static Rates Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new Rates(Read(doc.RootElement, "evals_per_s"), Read(doc.RootElement, "cpu_evals_per_s"));
    }

    private static Dictionary<string, double> Read(JsonElement root, string field) =>
        root.TryGetProperty(field, out var e) ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : [];
}
