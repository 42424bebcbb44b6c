using System.Globalization;
using SenderAuth.Json;

namespace SenderAuth.Server.Http;

/// <summary>
/// A query parameter that is a closed set of words (<c>?period=week</c>, <c>?format=csv</c>) read as its enum, once,
/// through the JSON contract's tokens: the words the API accepts are the words it writes. An unknown word is a
/// typed error naming the parameter and every accepted word, never a default chosen silently.
/// </summary>
/// <remarks>
/// Not ASP.NET's own enum binding: it accepts numbers (<c>?period=7</c> would be a value with no name) and answers
/// an unknown word with a bare 400 that names neither the parameter's words nor, as a problem, the field.
/// </remarks>
public static class QueryWords
{
    /// <summary>The value <paramref name="word"/> names, or <paramref name="absent"/> when the parameter was not sent.</summary>
    public static Result<T> Parse<T>(string? word, string parameter, T absent)
        where T : struct, Enum
    {
        if (word is null)
        {
            return absent;
        }
        if (SenderAuthJson.TryParse<T>(word, out var value))
        {
            return value;
        }
        return Unknown<T>(word, parameter);
    }

    /// <summary>The value <paramref name="word"/> names, or null when the parameter was not sent (or sent empty).</summary>
    public static Result<T?> Optional<T>(string? word, string parameter)
        where T : struct, Enum
    {
        if (string.IsNullOrEmpty(word))
        {
            return (T?)null;
        }
        if (SenderAuthJson.TryParse<T>(word, out var value))
        {
            return (T?)value;
        }
        return Unknown<T>(word, parameter);
    }

    /// <summary>"a, b or c": the accepted words in declaration order, for messages.</summary>
    public static string Words<T>()
        where T : struct, Enum
    {
        var tokens = SenderAuthJson.Tokens<T>();
        return tokens.Count == 1 ? tokens[0] : string.Join(", ", tokens.Take(tokens.Count - 1)) + " or " + tokens[^1];
    }

    private static ServiceError Unknown<T>(string word, string parameter)
        where T : struct, Enum =>
        new ServiceError.Invalid(string.Create(CultureInfo.InvariantCulture, $"{parameter} must be {Words<T>()}, not \"{word}\""), parameter);
}
