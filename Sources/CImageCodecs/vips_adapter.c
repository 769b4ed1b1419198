#include "classify_codecs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ready = 0;

/// libvips reports some problems only as GLib warnings on stderr, where they would tear
/// through the progress bar and never reach the person as a reason. Keep the last one per
/// thread and use it as the error's detail instead.
static __thread char last_warning[256];

static void keep_warning(const gchar *domain, GLogLevelFlags level, const gchar *message,
                         gpointer data) {
    (void)domain;
    (void)level;
    (void)data;
    snprintf(last_warning, sizeof last_warning, "%s", message ? message : "");
}

static void start_vips(void) {
    if (VIPS_INIT("classify") != 0) return;
    // Callers parallelise across photos; libvips' own caches and thread pools would only
    // add memory. Loaders libvips marks untrusted (ImageMagick, matlab, ...) stay off:
    // every photo is hostile input.
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, keep_warning, NULL);
    vips_ready = 1;
}

static int ensure_vips(char *msg, size_t msglen) {
    pthread_once(&vips_once, start_vips);
    last_warning[0] = '\0';
    if (!vips_ready) {
        snprintf(msg, msglen, "libvips failed to start");
        return 0;
    }
    return 1;
}

/// libvips keeps one error buffer per process; read it, map it, clear it.
static int take_vips_error(char *msg, size_t msglen) {
    const char *text = vips_error_buffer();
    int code = CLS_ERR_CORRUPT;
    if (text == NULL) text = "";
    // A generic loader failure says less than the warning that preceded it.
    if (last_warning[0] != '\0' && (text[0] == '\0' || strstr(text, "read error") != NULL ||
                                     strstr(text, "load error") != NULL))
        text = last_warning;
    if (strstr(text, "not in a known format") != NULL) code = CLS_ERR_NOT_IMAGE;
    else if (strstr(text, "runcated") != NULL || strstr(text, "Premature end") != NULL ||
             strstr(text, "end of file") != NULL || strstr(text, "unexpected end") != NULL ||
             strstr(text, "Not enough") != NULL)
        code = CLS_ERR_TRUNCATED;
    else if (strstr(text, "out of memory") != NULL) code = CLS_ERR_NO_MEMORY;
    if (msg != NULL && msglen > 0) {
        snprintf(msg, msglen, "%s", text);
        // One line is enough for a person; drop libvips' trailing newline.
        char *newline = strchr(msg, '\n');
        if (newline != NULL) *newline = '\0';
    }
    vips_error_clear();
    return code;
}

static VipsImage *open_buffer(const uint8_t *buf, size_t len) {
    return vips_image_new_from_buffer(buf, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                      "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

int cls_vips_header(const uint8_t *buf, size_t len, int *width, int *height,
                    int *orientation, char *loader, size_t loaderlen, char *msg, size_t msglen) {
    if (!ensure_vips(msg, msglen)) return CLS_ERR_UNSUPPORTED;
    const char *name = vips_foreign_find_load_buffer(buf, len);
    if (name == NULL) {
        vips_error_clear();
        snprintf(msg, msglen, "not an image");
        return CLS_ERR_NOT_IMAGE;
    }
    if (loader != NULL && loaderlen > 0) snprintf(loader, loaderlen, "%s", name);
    VipsImage *image = open_buffer(buf, len);
    if (image == NULL) return take_vips_error(msg, msglen);
    *width = vips_image_get_width(image);
    *height = vips_image_get_page_height(image);
    *orientation = vips_image_get_orientation(image);
    g_object_unref(image);
    return CLS_OK;
}

/// Replaces *image by *next (or fails), dropping the reference to the old one. `next` is
/// passed by address: it is written by the operation evaluated as the `rc` argument.
static int step(VipsImage **image, VipsImage **next, int rc) {
    g_object_unref(*image);
    *image = rc == 0 ? *next : NULL;
    *next = NULL;
    return rc == 0;
}

int cls_vips_decode_gray(const uint8_t *buf, size_t len, int shrink, uint8_t **out,
                         int *out_w, int *out_h, char *msg, size_t msglen) {
    *out = NULL;
    if (!ensure_vips(msg, msglen)) return CLS_ERR_UNSUPPORTED;
    VipsImage *image = open_buffer(buf, len);
    if (image == NULL) return take_vips_error(msg, msglen);
    VipsImage *next = NULL;

    // Animated images load as one tall strip of pages; keep the first.
    int page_height = vips_image_get_page_height(image);
    if (page_height < vips_image_get_height(image)) {
        if (!step(&image, &next, vips_crop(image, &next, 0, 0, image->Xsize, page_height, NULL)))
            return take_vips_error(msg, msglen);
    }
    if (vips_image_hasalpha(image)) {
        // White in the image's own range: 16-bit images flatten onto 65535.
        double white[1] = {image->BandFmt == VIPS_FORMAT_USHORT ? 65535.0 : 255.0};
        VipsArrayDouble *background = vips_array_double_new(white, 1);
        int rc = vips_flatten(image, &next, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        if (!step(&image, &next, rc)) return take_vips_error(msg, msglen);
    }
    // Into 8-bit sRGB or 8-bit gray (handles 16-bit, CMYK, Lab, palettes).
    VipsInterpretation target = image->Bands >= 3 ? VIPS_INTERPRETATION_sRGB
                                                  : VIPS_INTERPRETATION_B_W;
    if (!step(&image, &next, vips_colourspace(image, &next, target, NULL)))
        return take_vips_error(msg, msglen);
    if (image->Bands >= 3) {
        // The same luma as a JPEG's Y channel, so both decode paths see the same gray.
        VipsImage *matrix = vips_image_new_matrixv(3, 1, 0.299, 0.587, 0.114);
        if (image->Bands > 3) {
            if (!step(&image, &next, vips_extract_band(image, &next, 0, "n", 3, NULL))) {
                g_object_unref(matrix);
                return take_vips_error(msg, msglen);
            }
        }
        int rc = vips_recomb(image, &next, matrix, NULL);
        g_object_unref(matrix);
        if (!step(&image, &next, rc)) return take_vips_error(msg, msglen);
        // Round rather than truncate when the float luma is cast back to 8 bits.
        if (!step(&image, &next, vips_linear1(image, &next, 1.0, 0.5, NULL)))
            return take_vips_error(msg, msglen);
    } else if (image->Bands == 2) {
        if (!step(&image, &next, vips_extract_band(image, &next, 0, NULL)))
            return take_vips_error(msg, msglen);
    }
    if (shrink > 1) {
        if (!step(&image, &next, vips_shrink(image, &next, shrink, shrink, NULL)))
            return take_vips_error(msg, msglen);
    }
    if (!step(&image, &next, vips_cast(image, &next, VIPS_FORMAT_UCHAR, "shift", FALSE, NULL)))
        return take_vips_error(msg, msglen);

    size_t size = 0;
    void *pixels = vips_image_write_to_memory(image, &size);
    int width = vips_image_get_width(image), height = vips_image_get_height(image);
    g_object_unref(image);
    if (pixels == NULL) return take_vips_error(msg, msglen);
    if (size != (size_t)width * (size_t)height) {
        g_free(pixels);
        snprintf(msg, msglen, "unexpected decoded size");
        return CLS_ERR_CORRUPT;
    }
    *out = pixels;
    *out_w = width;
    *out_h = height;
    return CLS_OK;
}

void cls_free(void *ptr) { g_free(ptr); }

int cls_png_encode_rgb(const uint8_t *rgb, int width, int height, uint8_t **out,
                       size_t *out_len, char *msg, size_t msglen) {
    *out = NULL;
    if (!ensure_vips(msg, msglen)) return CLS_ERR_UNSUPPORTED;
    VipsImage *image =
        vips_image_new_from_memory(rgb, (size_t)width * height * 3, width, height, 3,
                                   VIPS_FORMAT_UCHAR);
    if (image == NULL) return take_vips_error(msg, msglen);
    void *bytes = NULL;
    size_t length = 0;
    int rc = vips_pngsave_buffer(image, &bytes, &length, NULL);
    g_object_unref(image);
    if (rc != 0) return take_vips_error(msg, msglen);
    *out = bytes;
    *out_len = length;
    return CLS_OK;
}

int cls_thumbnail_jpeg(const uint8_t *buf, size_t len, int max_side, uint8_t **out, size_t *out_len,
                       char *msg, size_t msglen) {
    *out = NULL;
    if (!ensure_vips(msg, msglen)) return CLS_ERR_UNSUPPORTED;
    VipsImage *image = NULL;
    // thumbnail_buffer uses shrink-on-load (JPEG DCT scaling, WebP/HEIF reduced decode) and
    // applies the EXIF orientation; size=down never enlarges a small photo.
    if (vips_thumbnail_buffer((void *)buf, len, &image, max_side, "height", max_side, "size",
                              VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, NULL) != 0)
        return take_vips_error(msg, msglen);
    VipsImage *flat = NULL;
    if (vips_image_hasalpha(image)) {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *background = vips_array_double_new(white, 3);
        int rc = vips_flatten(image, &flat, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        g_object_unref(image);
        if (rc != 0) return take_vips_error(msg, msglen);
        image = flat;
    }
    void *bytes = NULL;
    size_t length = 0;
    int rc = vips_jpegsave_buffer(image, &bytes, &length, "Q", 82, "strip", TRUE, NULL);
    g_object_unref(image);
    if (rc != 0) return take_vips_error(msg, msglen);
    *out = bytes;
    *out_len = length;
    return CLS_OK;
}
