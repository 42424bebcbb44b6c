using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace SenderAuth.Store.Hosting;

/// <summary>
/// The numeric bounds of every setting, read from the <see cref="RangeAttribute"/> on its property: the one
/// definition that the start-up checks (the server's <c>OptionRangeValidator</c>, the CLI's
/// <see cref="StoreOptions.StoreProblems"/>) and the configuration reference (docs/configuration.md,
/// <c>senderauth config-reference</c>) read, so the documented range is the enforced one.
/// Rules that relate two settings (a limit at least another) stay in the sections' own validators.
/// </summary>
public static class OptionRanges
{
    /// <summary>One sentence per setting of <paramref name="options"/> (and the option objects below it) out of its range.</summary>
    public static IEnumerable<string> Problems(object options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
            {
                continue;
            }
            var value = property.GetValue(options);
            var key = $"{path}:{property.Name}";
            if (property.GetCustomAttribute<RangeAttribute>() is { } range && value is not null && !range.IsValid(value))
            {
                yield return $"{key} must be {Describe(range)} (it is {Convert.ToString(value, CultureInfo.InvariantCulture)})"
                    + (range.ErrorMessage is { Length: > 0 } why ? $": {why}" : "");
            }
            if (value is null || !IsOptionsType(property.PropertyType))
            {
                if (value is IList list && property.PropertyType.IsGenericType && IsOptionsType(property.PropertyType.GetGenericArguments()[0]))
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        foreach (var p in list[i] is { } item ? Problems(item, $"{key}:{i}") : [])
                        {
                            yield return p;
                        }
                    }
                }
                continue;
            }
            foreach (var p in Problems(value, key))
            {
                yield return p;
            }
        }
    }

    /// <summary>The range in words: "between 1 and 60", "in (0, 60]" when a bound is exclusive.</summary>
    public static string Describe(RangeAttribute range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var min = Convert.ToString(range.Minimum, CultureInfo.InvariantCulture);
        var max = Convert.ToString(range.Maximum, CultureInfo.InvariantCulture);
        // A maximum of the type's largest value is no limit, only the way [Range] says "at least".
        if (!range.MaximumIsExclusive && Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture) >= int.MaxValue
            && max is "2147483647" or "9223372036854775807")
        {
            return range.MinimumIsExclusive ? $"more than {min}" : $"at least {min}";
        }
        return range.MinimumIsExclusive || range.MaximumIsExclusive
            ? $"in {(range.MinimumIsExclusive ? "(" : "[")}{min}, {max}{(range.MaximumIsExclusive ? ")" : "]")}"
            : $"between {min} and {max}";
    }

    /// <summary>A settings class of ours (nested section), as opposed to a value (string, number, list of strings).</summary>
    public static bool IsOptionsType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("SenderAuth", StringComparison.Ordinal) == true;
    }
}
