using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Whetstone.Server;

/// <summary>Reads a whole request body up to the configured limit (<c>Whetstone:Server:MaxRequestBytes</c>),
/// un-gzipping <c>Content-Encoding: gzip</c> (the limit holds for the decompressed size too). Over the limit →
/// 413 before (or as soon as) the excess is read. The bytes live in a pooled buffer (a batch body is far over the
/// large-object threshold: allocating one per request would keep the GC collecting generation 2); dispose it when done.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;
    private int _length;

    private RequestBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 4096));

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + data.Length));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public static async Task<RequestBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            throw TooLarge(limit);
        }

        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        Stream source = request.Body;
        var gzip = request.Headers.ContentEncoding.ToString().Trim();
        if (gzip.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        }
        else if (gzip.Length > 0 && !gzip.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException($"Content-Encoding '{gzip}' is not supported (gzip or none)", StatusCodes.Status415UnsupportedMediaType);
        }

        await using (source.ConfigureAwait(false))
        {
            var body = new RequestBody(request.ContentLength is { } n && gzip.Length == 0 ? (int)n : 64 * 1024);
            var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if ((long)body._length + read > limit)
                    {
                        throw TooLarge(limit);
                    }

                    body.Append(chunk.AsSpan(0, read));
                }

                return body;
            }
            catch (InvalidDataException e)
            {
                body.Dispose();
                throw new BadHttpRequestException("the gzip body is damaged: " + e.Message, StatusCodes.Status400BadRequest);
            }
            catch
            {
                body.Dispose();
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    private static BadHttpRequestException TooLarge(long limit) =>
        new($"the body is over the limit of {limit} bytes (Whetstone:Server:MaxRequestBytes)", StatusCodes.Status413PayloadTooLarge);
}
