using System.Text.Json.Nodes;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// GETs against a running server's API for <c>status</c> and <c>audit</c>: answers read as the records of
/// ServerAnswers.cs through the contract (<see cref="CliJson.ReadAnswer{T}"/>), paged lists walked to the end.
/// </summary>
internal static class ServerApi
{
    /// <summary>Every item of a paged list, page after page (a platform has more than one page of institutions).</summary>
    public static async Task<List<T>> GetAllAsync<T>(HttpClient http, string path, CancellationToken ct, int max = int.MaxValue)
    {
        const int size = 200;
        var all = new List<T>();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; all.Count < max; page++)
        {
            var answer = await GetAsync<ServerPage<T>>(http, $"{path}{separator}page={page}&pageSize={size}", ct).ConfigureAwait(false);
            all.AddRange(answer.Items.Take(max - all.Count));
            if (answer.Items.Count < size || page * size >= answer.Total)
            {
                break;
            }
        }
        return all;
    }

    /// <summary>
    /// One answer, read as <typeparamref name="T"/>; a refusal (4xx) is bad usage or a bad key, a failure (5xx) is the
    /// server's, told apart by the caller. An answer this CLI cannot read (another program, another release) is bad usage.
    /// </summary>
    public static async Task<T> GetAsync<T>(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string detail;
            try
            {
                detail = JsonNode.Parse(text)?["detail"]?.ToString() ?? text;
            }
            catch (System.Text.Json.JsonException)
            {
                detail = text.Length > 200 ? text[..200] : text;
            }
            var message = $"{path}: {(int)response.StatusCode} {detail}";
            throw (int)response.StatusCode >= 500 ? new HttpRequestException(message, null, response.StatusCode) : new UsageException(message);
        }
        try
        {
            return CliJson.ReadAnswer<T>(text) ?? throw new System.Text.Json.JsonException("null");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"{path}: not an answer this senderauth reads ({e.Message}): is --server a SenderAuth server of the same release?");
        }
    }
}
