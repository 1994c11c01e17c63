using System.Globalization;
using System.Text;
using Connectors.Hosting.Stdio;

namespace Connectors.Micro;

/// <summary>
/// Standard input as the stdio transport reads it: 1,000 tools/call requests (about 300 bytes each) through
/// <see cref="CheckedInputStream"/>, which checks each line is a JSON-RPC message, against the same bytes read plainly.
/// </summary>
[MemoryDiagnoser]
public class CheckedInputBenchmarks
{
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    // '#' stands for the request number.
    private const string Request =
        """{"jsonrpc":"2.0","id":#,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"src/app/modules/billing/invoices/render-#.cs","head":200},"_meta":{"progressToken":"p-#"}}}""";

    private static readonly byte[] s_requests = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Range(1, 1_000).Select(i => Request.Replace("#", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + "\n")));

    private readonly byte[] _readBuffer = new byte[16 * 1024];

    [GlobalSetup]
    public void EveryRequestPasses()
    {
        if (Checked_read() != s_requests.Length)
        {
            throw new InvalidOperationException("The checked stream held back some of the requests.");
        }
    }

    [Benchmark(Baseline = true)]
    public long Plain_read() => ReadToEnd(new MemoryStream(s_requests, writable: false));

    [Benchmark]
    public long Checked_read()
    {
        using var input = new CheckedInputStream(new MemoryStream(s_requests, writable: false), new WholeMessageOutputStream(Stream.Null), MaxMessageBytes);
        return ReadToEnd(input);
    }

    private long ReadToEnd(Stream input)
    {
        long total = 0;
        int read;
        while ((read = input.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
        {
            total += read;
        }

        return total;
    }
}
