using System.Reflection;

namespace SenderAuth.Tests;

/// <summary>
/// Every test class says its layer: run-tests and the lead's runs select by <c>Layer</c>, so a class without one is
/// left out of every layer's run without anyone noticing. (A base class and its subclass may both say the same layer.)
/// </summary>
[Trait("Layer", "engine")]
public sealed class LayerTraitTests
{
    private static readonly string[] Layers = ["engine", "cli", "server", "interop", "shipped"];

    [Fact]
    public void Every_test_class_has_one_known_layer()
    {
        var classes = typeof(LayerTraitTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static).Any(m => m.GetCustomAttribute<FactAttribute>() is not null))
            .ToList();
        Assert.True(classes.Count > 100, $"only {classes.Count} test classes found");

        var wrong = classes
            .Select(t => (Type: t, Layers: t.GetCustomAttributes<TraitAttribute>(inherit: true).Where(a => a.Name == "Layer").Select(a => a.Value).Distinct().ToList()))
            .Where(c => c.Layers.Count != 1 || !Layers.Contains(c.Layers[0]))
            .Select(c => $"{c.Type.FullName}: {(c.Layers.Count == 0 ? "no Layer trait" : string.Join(", ", c.Layers))}")
            .ToList();
        Assert.True(wrong.Count == 0, "test classes without exactly one known Layer trait:\n" + string.Join("\n", wrong));
    }
}
