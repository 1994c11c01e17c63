namespace Connectors.Filesystem;

/// <summary>MIME types by file extension, for media reads and resources.</summary>
internal static class MediaTypes
{
    private static readonly Dictionary<string, string> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".bmp"] = "image/bmp",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/x-icon",
        [".mp3"] = "audio/mpeg",
        [".wav"] = "audio/wav",
        [".ogg"] = "audio/ogg",
        [".oga"] = "audio/ogg",
        [".flac"] = "audio/flac",
        [".m4a"] = "audio/mp4",
        [".aac"] = "audio/aac",
        [".pdf"] = "application/pdf",
        [".zip"] = "application/zip",
        [".json"] = "application/json",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".html"] = "text/html",
        [".css"] = "text/css",
        [".csv"] = "text/csv",
        [".xml"] = "application/xml",
    };

    public static string Of(string path) =>
        s_byExtension.TryGetValue(Path.GetExtension(path), out var mime) ? mime : "application/octet-stream";
}
