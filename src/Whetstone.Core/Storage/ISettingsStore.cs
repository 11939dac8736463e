namespace Whetstone.Storage;

/// <summary>Small named values the stages keep beside their data (markers such as "set-level quality was last
/// recomputed for this state of the store").</summary>
public interface ISettingsStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    Task SetAsync(string key, string value, CancellationToken cancellationToken = default);
}
