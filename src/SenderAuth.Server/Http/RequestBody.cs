using SenderAuth.Json;
using System.Text.Json;

namespace SenderAuth.Server.Http;

/// <summary>
/// Reads JSON bodies so that a malformed one gets a 400 naming the field, line and position; the framework's
/// binder answers a bare 400 that helps nobody.
/// </summary>
public static class RequestBody
{
    private const int MaxJsonBytes = 1024 * 1024;

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request) where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxJsonBytes)
        {
            return new ServiceError.TooLarge($"the JSON body is larger than {MaxJsonBytes} bytes");
        }
        if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new ServiceError.UnsupportedMediaType("send the body as application/json");
        }
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, SenderAuthJson.Options, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return body is null ? new ServiceError.Invalid("the body is empty (null)") : body;
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            var position = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return new ServiceError.Invalid($"malformed JSON{where}{position}: {FirstSentence(e.Message)}", e.Path?.TrimStart('$', '.'));
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
