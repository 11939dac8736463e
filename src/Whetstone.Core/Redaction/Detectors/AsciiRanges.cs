using System.Buffers;

namespace Whetstone.Redaction.Detectors;

/// <summary>ASCII letter and digit ranges as <see cref="SearchValues{T}"/>, for the detectors' vectorized searches in
/// place of <c>IndexOfAnyInRange</c>/<c>IndexOfAnyExceptInRange</c>: those generic methods box their bounds (four
/// small allocations a call) in the ReadyToRun code the Release build ships, and some detectors call them once per
/// word or per text — on mixed agent text that was tens of MB of garbage per 24 MiB. The same search through
/// <see cref="SearchValues{T}"/> allocates nothing and is as fast.</summary>
internal static class AsciiRanges
{
    public static readonly SearchValues<char> Upper = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    public static readonly SearchValues<char> Lower = SearchValues.Create("abcdefghijklmnopqrstuvwxyz");

    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");
}
