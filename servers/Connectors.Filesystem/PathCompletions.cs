using Connectors.Filesystem.Native;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Filesystem;

/// <summary>
/// <c>completion/complete</c> for the path arguments of the prompts and the <c>file://</c> template. Every suggestion comes
/// from a directory opened through <see cref="PathGuard"/>, so nothing outside the roots is ever named; a value the guard
/// refuses (traversal, outside the roots, denied, too long) completes to nothing rather than to an error that would say why.
/// </summary>
public static class PathCompletions
{
    public const int MaxValues = 100;

    /// <summary>The arguments that take a path, per prompt or template; anything else has no suggestions.</summary>
    private static readonly Dictionary<string, string[]> PathArguments = new(StringComparer.Ordinal)
    {
        [FilesystemPrompts.ReviewChanges] = ["path"],
        [FilesystemPrompts.SummarizeTree] = ["path"],
        [FilesystemPrompts.FindDefinition] = ["path"],
        [FileResources.UriTemplate] = ["path"],
    };

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var request = context.Params!;
        var key = request.Ref switch
        {
            PromptReference prompt => prompt.Name,
            ResourceTemplateReference template => template.Uri,
            _ => null,
        };

        // An unknown prompt or template has no suggestions (not an error: the conformance suite asks about one it made up).
        IReadOnlyList<string> values = key is not null && PathArguments.TryGetValue(key, out var arguments) && arguments.Contains(request.Argument.Name)
            ? Complete(context.Services!.GetRequiredService<PathGuard>(), request.Argument.Value ?? "", absoluteOnly: request.Ref is ResourceTemplateReference)
            : [];
        return ValueTask.FromResult(Result(values));
    }

    /// <summary>Paths under the roots that start with <paramref name="value"/>, directories ending in '/', sorted; all of them (the caller bounds).</summary>
    /// <param name="absoluteOnly">The file:// template names absolute paths only; prompt arguments may be relative to the first root.</param>
    public static IReadOnlyList<string> Complete(PathGuard guard, string value, bool absoluteOnly)
    {
        if (value.Length == 0)
        {
            return [.. guard.Roots.Select(r => r.EndsWith('/') ? r : r + "/")];
        }

        if (value.Length > 4096 || value.Contains('\0', StringComparison.Ordinal) || (absoluteOnly && !value.StartsWith('/')) || value.StartsWith('~'))
        {
            return [];
        }

        // Only plain names extend a value: '.', '..' and empty segments would let the typed text and the real path part ways.
        var slash = value.LastIndexOf('/');
        var directoryPart = slash < 0 ? "" : value[..(slash + 1)];
        var namePrefix = value[(slash + 1)..];
        if (!PlainNames(directoryPart))
        {
            return [];
        }

        // A value that is still a prefix of a root's own path completes to that root.
        var roots = guard.Roots.Select(r => r.EndsWith('/') ? r : r + "/")
            .Where(r => r.Length > value.Length && r.StartsWith(value, StringComparison.Ordinal)).ToList();
        if (roots.Count > 0)
        {
            return roots;
        }

        try
        {
            var directory = directoryPart.Length == 0 ? guard.Roots[0] : directoryPart;
            using var opened = guard.OpenDirectory(guard.Resolve(directory));
            var matches = new List<string>();
            foreach (var entry in DirectoryEntries.Read(opened.Handle))
            {
                if (entry.Name is "." or ".." || !entry.Name.StartsWith(namePrefix, StringComparison.Ordinal) || (entry.Name.StartsWith('.') && !namePrefix.StartsWith('.'))
                    || guard.IsDenied(opened.Real.Child(entry.Name).Relative))
                {
                    continue;
                }

                var isDirectory = entry.Kind == FileKind.Directory
                    || (entry.Kind == FileKind.Other && FileStatus.TryOfEntry(opened.Handle, entry.Name) is { IsDirectory: true });
                matches.Add(directoryPart + entry.Name + (isDirectory ? "/" : ""));
            }

            matches.Sort(StringComparer.Ordinal);
            return matches;
        }
        catch (ConnectorException)
        {
            return [];
        }
        catch (FileSystemException)
        {
            return [];
        }
    }

    /// <summary>Whether a directory part ('/a/b/', 'a/b/', '/' or '') is made of plain names only.</summary>
    private static bool PlainNames(string directoryPart)
    {
        if (directoryPart.Length <= 1)
        {
            return true;
        }

        var inner = directoryPart[..^1];
        inner = inner.StartsWith('/') ? inner[1..] : inner;
        return !inner.Split('/').Any(s => s is "" or "." or "..");
    }

    internal static CompleteResult Result(IReadOnlyList<string> values) => new()
    {
        Completion = new Completion { Values = [.. values.Take(MaxValues)], Total = values.Count, HasMore = values.Count > MaxValues },
    };
}
