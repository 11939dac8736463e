using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Whetstone.Server;

/// <summary>Reads a whole request body up to the configured limit (<c>Whetstone:Server:MaxRequestBytes</c>),
/// un-gzipping <c>Content-Encoding: gzip</c> (the limit holds for the decompressed size too). Over the limit →
/// 413 before (or as soon as) the excess is read.</summary>
internal static class RequestBody
{
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
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
            var buffer = new MemoryStream(request.ContentLength is { } n && gzip.Length == 0 ? (int)n : 64 * 1024);
            var chunk = new byte[64 * 1024];
            int read;
            try
            {
                while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (buffer.Length + read > limit)
                    {
                        throw TooLarge(limit);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            catch (InvalidDataException e)
            {
                throw new BadHttpRequestException("the gzip body is damaged: " + e.Message, StatusCodes.Status400BadRequest);
            }

            return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        }
    }

    private static BadHttpRequestException TooLarge(long limit) =>
        new($"the body is over the limit of {limit} bytes (Whetstone:Server:MaxRequestBytes)", StatusCodes.Status413PayloadTooLarge);
}
