// Thin C adapters over TurboJPEG and libvips for ImageDecoding.
// No glib or libvips types leak into this header, so Swift sees plain C.
#ifndef CLASSIFY_CODECS_H
#define CLASSIFY_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result codes shared by every function below.
enum {
    CLS_OK = 0,
    CLS_ERR_NOT_IMAGE = 1,    // bytes are no format we know
    CLS_ERR_TRUNCATED = 2,    // data ends before the image does
    CLS_ERR_CORRUPT = 3,      // format recognised, content broken
    CLS_ERR_UNSUPPORTED = 4,  // valid, but this path cannot decode it (try the other path)
    CLS_ERR_NO_MEMORY = 5,
};

/// Reads a JPEG header without decoding pixels.
int cls_jpeg_header(const uint8_t *buf, size_t len, int *width, int *height,
                    int *colorspace, char *msg, size_t msglen);

/// Decodes a JPEG straight to 8-bit gray at scale 1/`scale_denom` (1, 2, 4 or 8), using
/// libjpeg-turbo's DCT scaling. `out` must hold `out_w * out_h` bytes, where the sizes are
/// those given by `cls_jpeg_scaled_size`.
int cls_jpeg_decode_gray(const uint8_t *buf, size_t len, int scale_denom, uint8_t *out,
                         int out_w, int out_h, char *msg, size_t msglen);

/// Output size of a JPEG decoded at scale 1/`scale_denom` (rounds up, as libjpeg does).
void cls_jpeg_scaled_size(int width, int height, int scale_denom, int *out_w, int *out_h);

/// Reads any libvips-supported image's header: declared size, EXIF orientation (1...8),
/// the loader's name (e.g. "pngload_buffer"). No pixels are decoded.
int cls_vips_header(const uint8_t *buf, size_t len, int *width, int *height,
                    int *orientation, char *loader, size_t loaderlen, char *msg, size_t msglen);

/// Decodes the first frame of any libvips-supported image to 8-bit gray (Y' = .299R + .587G
/// + .114B, alpha flattened onto white, 16-bit scaled down), box-shrunk by the integer
/// factor `shrink`. Orientation is NOT applied. On success `*out` is malloc'ed; free it with
/// `cls_free`.
int cls_vips_decode_gray(const uint8_t *buf, size_t len, int shrink, uint8_t **out,
                         int *out_w, int *out_h, char *msg, size_t msglen);

/// Frees a buffer returned by `cls_vips_decode_gray`.
void cls_free(void *ptr);

/// A JPEG thumbnail of any supported image: EXIF orientation applied, fitted inside
/// `max_side` × `max_side` (never enlarged), sRGB, quality 82, metadata stripped. `*out` is
/// freed with `cls_free`.
int cls_thumbnail_jpeg(const uint8_t *buf, size_t len, int max_side, uint8_t **out, size_t *out_len,
                       char *msg, size_t msglen);

/// Encodes an 8-bit RGB buffer as PNG (for sharpness-map pictures). `*out` is freed with
/// `cls_free`.
int cls_png_encode_rgb(const uint8_t *rgb, int width, int height, uint8_t **out,
                       size_t *out_len, char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

#endif
