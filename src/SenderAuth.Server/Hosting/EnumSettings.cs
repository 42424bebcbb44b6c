using System.Reflection;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// Modes are enums (<see cref="DatabaseKind"/>, <see cref="Publishing.PublishingMode"/>, <see cref="Milter.MilterMode"/>…),
/// bound from configuration by name in any case. The binder throws on the first word it does not know, which would
/// stop the server with a stack trace instead of the list of every problem. So the raw values of every enum setting
/// under <see cref="ServerOptions"/> are checked first; an unknown one becomes a validation problem naming the
/// setting, the value and the words accepted, and is left out of binding (its default stays, never used: the
/// server does not start with a problem).
/// </summary>
public sealed class EnumSettings
{
    private EnumSettings(IReadOnlyList<string> problems, IReadOnlyList<string> paths)
    {
        Problems = problems;
        Paths = paths;
    }

    /// <summary>One sentence per unknown value.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The settings holding those values, to be left out of binding.</summary>
    public IReadOnlyList<string> Paths { get; }

    public static EnumSettings Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var paths = new List<string>();
        Walk(typeof(ServerOptions), ServerOptions.Section, configuration, problems, paths, depth: 0);
        return new EnumSettings(problems, paths);
    }

    private static void Walk(Type type, string path, IConfiguration configuration, List<string> problems, List<string> paths, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var key = $"{path}:{property.Name}";
            if (t.IsEnum)
            {
                if (configuration[key] is { } raw && !Enum.GetNames(t).Any(n => n.Equals(raw.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"{key} is \"{raw}\": use {string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()))}");
                    paths.Add(key);
                }
            }
            else if (depth < 4 && t.IsClass && t != typeof(string) && (t.Namespace?.StartsWith("SenderAuth.Server", StringComparison.Ordinal) == true || t.Namespace?.StartsWith("SenderAuth.Store", StringComparison.Ordinal) == true))
            {
                Walk(t, key, configuration, problems, paths, depth + 1);
            }
        }
    }
}
