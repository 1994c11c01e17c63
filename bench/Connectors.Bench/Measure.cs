/// <summary>Measurements shared by the benchmark programs.</summary>
internal static class Measure
{
    /// <summary>Resident memory of a process, in MB (Linux /proc).</summary>
    public static double ReadRssMb(int pid) => ReadStatusMb(pid, "VmRSS:");

    /// <summary>The most resident memory a process has had, in MB (Linux /proc).</summary>
    public static double ReadPeakRssMb(int pid) => ReadStatusMb(pid, "VmHWM:");

    private static double ReadStatusMb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    /// <summary>The percentile of the values, interpolated between neighbours.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        var rank = percentile / 100 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
