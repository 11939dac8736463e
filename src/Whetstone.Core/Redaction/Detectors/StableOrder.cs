namespace Whetstone.Redaction.Detectors;

/// <summary>Orders the detectors' small lookup groups at construction without LINQ (whose generic code over these
/// element types nothing precompiles).</summary>
internal static class StableOrder
{
    /// <summary>The items by <paramref name="length"/>, longest first, keeping their given order among equals (an
    /// insertion sort: groups hold a handful of items).</summary>
    public static T[] LongestFirst<T>(List<T> items, Func<T, int> length)
        where T : class
    {
        var sorted = items.ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            var item = sorted[i];
            var j = i - 1;
            for (; j >= 0 && length(sorted[j]) < length(item); j--)
            {
                sorted[j + 1] = sorted[j];
            }

            sorted[j + 1] = item;
        }

        return sorted;
    }
}
