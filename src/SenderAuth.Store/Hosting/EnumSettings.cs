using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace SenderAuth.Store.Hosting;

/// <summary>
/// Modes are enums (<see cref="DatabaseKind"/>, the publishing mode, the milter's policies…), bound from configuration
/// by the words <see cref="EnumWords"/> accepts: the JSON contract's token (<c>pass-unsigned</c>, what the API writes)
/// or, as before, the member name in any case (<c>passunsigned</c>). The binder knows only names and throws on the
/// first word it does not know, which would stop the program with a stack trace instead of the list of every problem.
/// So the raw values of every enum setting under the options class are checked first: a token is handed to the binder
/// as its member's name (<see cref="Overrides"/>); an unknown word becomes a validation problem naming the setting,
/// the value and the tokens, and is left out of binding (its default stays, never used: the server does not start
/// with a problem). In the store so that the CLI (<c>report --db</c>, which binds <see cref="StoreOptions"/> alone)
/// reads the same words as <c>serve</c>.
/// </summary>
public sealed class EnumSettings
{
    private readonly List<string> _problems = [];
    private readonly List<string> _paths = [];
    private readonly Dictionary<string, string> _names = [];

    private EnumSettings()
    {
    }

    /// <summary>One sentence per unknown value.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The settings holding those values, to be left out of binding.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>Settings given as a token, with the member name the binder reads for it.</summary>
    public IReadOnlyDictionary<string, string> Names => _names;

    /// <summary>What to add to configuration before binding: each token's member name, and null for an unknown word.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Overrides =>
        _names.Select(n => KeyValuePair.Create(n.Key, (string?)n.Value)).Concat(_paths.Select(p => KeyValuePair.Create(p, (string?)null)));

    /// <summary>The enum settings of <paramref name="root"/> under <paramref name="section"/>, and of single keys outside it.</summary>
    public static EnumSettings Check(IConfiguration configuration, Type root, string section, params IEnumerable<(Type Type, string Key)> single)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(single);
        var found = new EnumSettings();
        found.Walk(root, section, configuration, depth: 0);
        foreach (var (type, key) in single)
        {
            found.CheckValue(type, key, configuration);
        }
        return found;
    }

    private void Walk(Type type, string path, IConfiguration configuration, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var key = $"{path}:{property.Name}";
            if (t.IsEnum)
            {
                CheckValue(t, key, configuration);
            }
            else if (depth < 4 && IsOurs(t))
            {
                Walk(t, key, configuration, depth + 1);
            }
            else if (depth < 4 && t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && IsOurs(t.GetGenericArguments()[0]))
            {
                // A list of sections (Reports:Imap:0, :1…): each element's enums, e.g. Imap:0:Security.
                foreach (var element in configuration.GetSection(key).GetChildren())
                {
                    Walk(t.GetGenericArguments()[0], $"{key}:{element.Key}", configuration, depth + 1);
                }
            }
        }
    }

    private void CheckValue(Type type, string key, IConfiguration configuration)
    {
        if (configuration[key] is not { } raw)
        {
            return;
        }
        if (EnumWords.MemberName(type, raw) is not { } name)
        {
            _problems.Add($"{key} is \"{raw}\": use {string.Join(", ", EnumWords.Tokens(type))}");
            _paths.Add(key);
        }
        else if (!name.Equals(raw.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            _names[key] = name;
        }
    }

    private static bool IsOurs(Type t) =>
        t.IsClass && t != typeof(string)
        && (t.Namespace?.StartsWith("SenderAuth.Server", StringComparison.Ordinal) == true || t.Namespace?.StartsWith("SenderAuth.Store", StringComparison.Ordinal) == true);
}
