using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SenderAuth.Bench.Harness.Servers;

namespace SenderAuth.Bench.Harness.Seeding;

/// <summary>How long each onboarding phase took through the API, and the 409 retries it needed.</summary>
public sealed record OnboardingTimes(int Domains, double? InstitutionsSeconds, double CreateSeconds, double? SigningSeconds,
    IReadOnlyList<double> CreateSecondsPer1000, int ConflictRetries);

/// <summary>
/// Onboards row_monitor's domains through the server's API, as an operator's script would: the institutions, then
/// every domain (POST /institutions/{code}/domains), then signing on each (POST …/signing), with a few keep-alive
/// connections in parallel. Creating a domain republishes the whole provider zone, so a create's cost grows with
/// the domains already there: the create time of each block of 1,000 is kept.
/// </summary>
public static class ApiOnboarding
{
    private const int Workers = 4;
    private const string Conflict = "changed by another request at the same time";

    public static async Task<OnboardingTimes> RunAsync(SenderAuthServer server, IReadOnlyList<(string Code, string Domain)> pairs,
        bool institutions, bool signing, CancellationToken ct)
    {
        var retries = 0;
        double? institutionsSeconds = null, signingSeconds = null;
        var sw = Stopwatch.StartNew();
        if (institutions)
        {
            await ParallelAsync(pairs.Select(p => p.Code).Distinct(), c => PostAsync("/institutions", new { code = c, name = $"Bench {c}" })).ConfigureAwait(false);
            institutionsSeconds = Math.Round(sw.Elapsed.TotalSeconds, 2);
        }
        var blocks = new List<double>();
        var done = 0;
        var block = Stopwatch.StartNew();
        sw.Restart();
        await ParallelAsync(pairs, async p =>
        {
            await PostAsync($"/institutions/{p.Code}/domains", new { name = p.Domain }).ConfigureAwait(false);
            if (Interlocked.Increment(ref done) % 1000 == 0)
            {
                lock (blocks)
                {
                    blocks.Add(Math.Round(block.Elapsed.TotalSeconds, 2));
                    block.Restart();
                    RowContext.Log($"    created {done} domains ({blocks[^1]} s for the last 1,000)");
                }
            }
        }).ConfigureAwait(false);
        var createSeconds = Math.Round(sw.Elapsed.TotalSeconds, 2);
        if (signing)
        {
            sw.Restart();
            await ParallelAsync(pairs, async p =>
            {
                var r = await PostAsync($"/institutions/{p.Code}/domains/{p.Domain}/signing", new { enabled = true }).ConfigureAwait(false);
                if (r?["signingEnabled"]?.GetValue<bool>() != true)
                {
                    throw new RowFailedException($"signing not enabled on {p.Domain}: {r?.ToJsonString()}");
                }
            }).ConfigureAwait(false);
            signingSeconds = Math.Round(sw.Elapsed.TotalSeconds, 2);
        }
        return new OnboardingTimes(pairs.Count, institutionsSeconds, createSeconds, signingSeconds, blocks, retries);

        // The API call; retries (up to 20 times) the 409 the server answers when two writers met (the monitor's
        // checks write the same rows as onboarding): the API asks for that retry, and the row counts them.
        async Task<JsonNode?> PostAsync(string path, object body)
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                using var response = await server.Http.PostAsJsonAsync(new Uri("/api/v1" + path, UriKind.Relative), body, ct).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Conflict && text.Contains(Conflict, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(50 * (attempt + 1), ct).ConfigureAwait(false);
                    continue;
                }
                // The create committed before the step that met the other writer (the zone publish): it stands.
                if (response.StatusCode == HttpStatusCode.Conflict && attempt > 0 && text.Contains("is already registered", StringComparison.Ordinal))
                {
                    return null;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new RowFailedException($"POST {path}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                }
                return text.Length == 0 ? null : JsonNode.Parse(text);
            }
            throw new RowFailedException($"POST {path}: still 409 after 20 retries");
        }

        Task ParallelAsync<T>(IEnumerable<T> items, Func<T, Task> call) =>
            Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = ct }, async (item, _) => await call(item).ConfigureAwait(false));
    }
}
