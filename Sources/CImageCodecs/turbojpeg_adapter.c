#include "classify_codecs.h"

#include <stdio.h>
#include <string.h>
#include <turbojpeg.h>

static void copy_message(char *msg, size_t msglen, const char *text) {
    if (msg == NULL || msglen == 0) return;
    snprintf(msg, msglen, "%s", text ? text : "");
}

/// libjpeg reports truncation and broken entropy data as warnings; we treat both as
/// failures (TJFLAG_STOPONWARNING) and tell them apart by libjpeg's message.
static int classify_tj_error(tjhandle handle, char *msg, size_t msglen) {
    const char *text = tjGetErrorStr2(handle);
    copy_message(msg, msglen, text);
    if (text == NULL) return CLS_ERR_CORRUPT;
    if (strstr(text, "Premature end") != NULL) return CLS_ERR_TRUNCATED;
    if (strstr(text, "Not a JPEG") != NULL) return CLS_ERR_NOT_IMAGE;
    if (strstr(text, "nsupported") != NULL || strstr(text, "not supported") != NULL ||
        strstr(text, "rithmetic") != NULL || strstr(text, "color conversion") != NULL ||
        strstr(text, "colorspace") != NULL)
        return CLS_ERR_UNSUPPORTED;
    return CLS_ERR_CORRUPT;
}

int cls_jpeg_header(const uint8_t *buf, size_t len, int *width, int *height,
                    int *colorspace, char *msg, size_t msglen) {
    tjhandle handle = tjInitDecompress();
    if (handle == NULL) {
        copy_message(msg, msglen, tjGetErrorStr2(NULL));
        return CLS_ERR_NO_MEMORY;
    }
    int subsamp = 0;
    int rc = tjDecompressHeader3(handle, buf, (unsigned long)len, width, height, &subsamp,
                                 colorspace);
    int result = rc == 0 ? CLS_OK : classify_tj_error(handle, msg, msglen);
    tjDestroy(handle);
    return result;
}

void cls_jpeg_scaled_size(int width, int height, int scale_denom, int *out_w, int *out_h) {
    *out_w = (width + scale_denom - 1) / scale_denom;
    *out_h = (height + scale_denom - 1) / scale_denom;
}

int cls_jpeg_decode_gray(const uint8_t *buf, size_t len, int scale_denom, uint8_t *out,
                         int out_w, int out_h, char *msg, size_t msglen) {
    tjhandle handle = tjInitDecompress();
    if (handle == NULL) {
        copy_message(msg, msglen, tjGetErrorStr2(NULL));
        return CLS_ERR_NO_MEMORY;
    }
    int width = 0, height = 0, subsamp = 0, colorspace = 0;
    int result = CLS_OK;
    if (tjDecompressHeader3(handle, buf, (unsigned long)len, &width, &height, &subsamp,
                            &colorspace) != 0) {
        result = classify_tj_error(handle, msg, msglen);
    } else if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
        copy_message(msg, msglen, "CMYK JPEG");
        result = CLS_ERR_UNSUPPORTED;
    } else {
        // Decoding to exactly the scaled size makes libjpeg-turbo pick the DCT scale.
        int flags = TJFLAG_STOPONWARNING | TJFLAG_ACCURATEDCT;
        if (tjDecompress2(handle, buf, (unsigned long)len, out, out_w, out_w, out_h,
                          TJPF_GRAY, flags) != 0)
            result = classify_tj_error(handle, msg, msglen);
    }
    (void)scale_denom;
    tjDestroy(handle);
    return result;
}
