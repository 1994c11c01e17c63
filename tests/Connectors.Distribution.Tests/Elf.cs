using System.Buffers.Binary;

namespace Connectors.Distribution.Tests;

/// <summary>
/// The little of a 64-bit little-endian ELF file the distribution tests check: that it is one (a native executable, not
/// a managed assembly or a script), its type, and its section names (debug sections mean symbols were not stripped).
/// </summary>
internal sealed record Elf(ushort Type, IReadOnlyList<string> SectionNames)
{
    /// <summary>ET_EXEC, or ET_DYN as a position-independent executable is.</summary>
    public bool IsExecutable => Type is 2 or 3;

    public static Elf Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var header = bytes.AsSpan();
        if (header.Length < 64 || !header[..4].SequenceEqual("\u007fELF"u8))
        {
            throw new InvalidDataException($"{path} is not an ELF file.");
        }

        if (header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file.");
        }

        var type = BinaryPrimitives.ReadUInt16LittleEndian(header[16..]);
        var sectionTable = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[40..]));
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header[62..]);

        Span<byte> Section(int index) => bytes.AsSpan(sectionTable + (index * sectionSize), sectionSize);
        var namesOffset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(Section(namesIndex)[24..]));

        var names = new List<string>(sectionCount);
        for (var i = 0; i < sectionCount; i++)
        {
            var nameStart = namesOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(Section(i));
            var nameLength = bytes.AsSpan(nameStart).IndexOf((byte)0);
            names.Add(Encoding.ASCII.GetString(bytes, nameStart, nameLength));
        }

        return new Elf(type, names);
    }
}
