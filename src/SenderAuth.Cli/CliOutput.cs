using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SenderAuth.Cli;

internal static class CliOutput
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static readonly JsonSerializerOptions Compact = new(Indented) { WriteIndented = false };

    public static void WriteJson<T>(T value, bool compact = false) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, compact ? Compact : Indented));

    public static void Error(string message) => Console.Error.WriteLine($"senderauth: {message}");
}
