#!/usr/bin/env python3
"""Rebuild the real-photo blur evaluation set from fetched GitHub snapshots.

The snapshots live in /work/.mirror/<owner>+<name>/repo (bare git dir, or a
checkout with .git). This script never downloads anything: if a mirror is
missing it prints which repository to fetch and skips that source.

Output (eval/data is git-ignored):
  eval/data/<source>/<file>        images extracted with `git show`
  eval/data/manifest.csv           path,source,label,blur_type,pair_id,tags
  eval/data/sources.json           repo + HEAD commit actually used per source

Usage:  python3 eval/build_set.py [--mirror DIR] [--out DIR] [--cap N]

Labels are derived from folder/file names of each source (see DATASETS.md);
a few sources were additionally checked by eye when this script was written,
and the per-file decisions below encode that (documented in DATASETS.md).
"""
import argparse
import collections
import csv
import hashlib
import json
import os
import re
import subprocess
import sys

IMG_EXT = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------
# git helpers
# --------------------------------------------------------------------------
def git_dir(mirror, repo):
    base = os.path.join(mirror, repo.replace("/", "+"), "repo")
    for cand in (os.path.join(base, ".git"), base):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    return None


def git(gd, *args, binary=False):
    out = subprocess.run(["git", "--git-dir", gd, *args], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return out.stdout if binary else out.stdout.decode("utf-8", "replace")


def ls_images(gd):
    """[(path, size)] of image blobs at HEAD (paths with spaces kept)."""
    res = []
    for line in git(gd, "ls-tree", "-r", "-l", "-z", "HEAD").split("\0"):
        if not line:
            continue
        meta, path = line.split("\t", 1)
        _mode, typ, _sha, size = meta.split()
        if typ != "blob" or not path.lower().endswith(IMG_EXT):
            continue
        res.append((path, int(size) if size.isdigit() else 0))
    return sorted(res)


# --------------------------------------------------------------------------
# per-source labelling rules: path -> dict(label, blur_type, pair_id, tags,
# name) or None (skip). `name` is the file name inside eval/data/<source>/.
# --------------------------------------------------------------------------
def rec(label, blur_type, name, pair_id="", tags=()):
    return dict(label=label, blur_type=blur_type, pair_id=pair_id,
                tags=";".join(tags), name=name)


KW_RE = re.compile(r"^(\d+)_(.+)_([SFM])\.(jpe?g|png)$", re.I)
KW_TYPE = {"S": ("sharp", "none"), "F": ("blurred", "defocus"),
           "M": ("blurred", "motion")}


def rule_kwentar(path):
    """Kwentar 'Blur dataset' triplets: id_DEVICE_{S,F,M}.ext.
    S = sharp, F = defocused (whole frame), M = motion (camera shake)."""
    fn = os.path.basename(path)
    m = KW_RE.match(fn)
    if not m:
        return None
    sid, dev, t, _ = m.groups()
    label, bt = KW_TYPE[t.upper()]
    dev = dev.upper()
    tags = ("low_texture",) if f"{sid}_{dev}" in KW_LOW_TEXTURE else ()
    return rec(label, bt, f"{dev}/{fn}", pair_id=f"kwentar_{sid}_{dev}", tags=tags)


# scenes judged by eye to be mostly featureless (floor tiles / plain wall)
KW_LOW_TEXTURE = {"20_XIAOMI-REDMI-3S"}


def rule_cuhk(path):
    """CUHK blur-detection samples (Shi et al. 2014) re-hosted in code repos.
    out_of_focus*: shallow depth of field photos with an in-focus subject
    (checked by eye: every sample here has a sharp subject) -> sharp + bokeh.
    motion*: partially motion-blurred photo -> blurred/motion."""
    fn = os.path.basename(path)
    if fn.lower().startswith("out_of_focus"):
        return rec("sharp", "none", fn, tags=("bokeh",))
    if fn.lower().startswith("motion"):
        if fn in CUHK_AMBIGUOUS:
            return None
        return rec("blurred", "motion", fn)
    return None


# motion0138 is a panning shot (rider roughly sharp, background streaked):
# ambiguous for a whole-photo sharp/blurred label -> left out.
CUHK_AMBIGUOUS = {"motion0138.jpg"}


def rule_vabm(path):
    """EBB! (Ignatov et al.) and VABD (Chen et al.) samples, Canon DSLR.
    input = f/16 all-in-focus (sharp); EBB target = f/1.8 bokeh (sharp
    subject, blurred background); VABD 1_8 / 2_8 = f/1.8 / f/2.8 bokeh,
    8 = f/8 (mostly in focus). All are sharp for the product's purpose."""
    p = path.split("/")
    if len(p) < 5 or p[0] != "Data":
        return None
    ds, split, kind, fn = p[1], p[2], p[3], p[4]
    stem = os.path.splitext(fn)[0]
    if ds == "EBB!":
        pid = f"ebb_{stem}"
        if kind == "input":
            return rec("sharp", "none", f"ebb/{stem}_f16{os.path.splitext(fn)[1]}", pid)
        if kind == "target":
            return rec("sharp", "none", f"ebb/{stem}_f1.8{os.path.splitext(fn)[1]}", pid, ("bokeh",))
        return None
    if ds == "VABD":
        pid = f"vabd_{split}_{stem}"
        ext = os.path.splitext(fn)[1]
        night = ("night",) if split == "test" else ()  # test scenes: blue hour / street lights
        if kind == "input":
            return rec("sharp", "none", f"vabd/{split}_{stem}_f16{ext}", pid, night)
        if kind == "8":
            return rec("sharp", "none", f"vabd/{split}_{stem}_f8{ext}", pid, night)
        if kind in ("1_8", "2_8"):
            return rec("sharp", "none", f"vabd/{split}_{stem}_f{kind.replace('_', '.')}{ext}",
                       pid, ("bokeh",) + night)
    return None


# SRN-Deblur testing_set: 01/07/08 are GoPro test frames (blur made by
# averaging real 240 fps frames -> tagged synthetic); 4c6 is a real
# camera-shake photo (Lai et al. style real-blur set).
SRN = {"testing_set/01.png": ("synthetic",), "testing_set/07.png": ("synthetic",),
       "testing_set/08.png": ("synthetic",), "testing_set/4c6.png": ()}


def rule_srn(path):
    if path not in SRN:
        return None
    return rec("blurred", "motion", os.path.basename(path), tags=SRN[path])


# fled/blur_detection (Su et al. blur-region paper demo images). Checked by
# eye: 1 = butterfly, sharp subject on bokeh background; 3 = beach volley,
# sharp. 4/5 are panning shots (sharp subject, motion-blurred background):
# ambiguous for the product -> left out.
FLED = {"data/test_image1.jpg": ("bokeh",), "data/test_image3.jpg": ()}


def rule_fled(path):
    if path not in FLED:
        return None
    return rec("sharp", "none", os.path.basename(path), tags=FLED[path])


# Zero-DCE test data, DICM subset (Lee et al.): real under-exposed photos
# (night scenes, dim interiors, back-lit daytime, flower macros). Assumed sharp
# (they are enhancement inputs, not blur examples); only checked on a contact
# sheet. Tags assigned per file from that contact sheet.
DICM_NIGHT = {f"{i:02d}.jpg" for i in (1, 3, 6, 8, 12, 13, 14, 16, 17, 18, 19, 20, 22,
                                       25, 26, 27, 28, 29)}
DICM_BOKEH = {f"{i:02d}.jpg" for i in (46, 47, 48, 49, 50, 52, 55, 57, 58, 62, 64, 66, 67)}
DICM_LOW_TEXTURE = {f"{i:02d}.jpg" for i in (5, 11, 36)}  # mostly sky
DICM_SKIP = set()


def rule_dicm(path):
    if "/test_data/DICM/" not in path:
        return None
    fn = os.path.basename(path)
    if fn in DICM_SKIP:
        return None
    tags = tuple(t for t, s in (("bokeh", DICM_BOKEH), ("low_texture", DICM_LOW_TEXTURE),
                                ("night", DICM_NIGHT)) if fn in s)
    return rec("sharp", "none", fn, tags=tags)



# --------------------------------------------------------------------------
# Real camera-shake benchmark images (added in the second pass)
# --------------------------------------------------------------------------
# Koehler et al. ECCV 2012 "Recording and playback of camera shake": 4 scenes
# x 12 recorded human camera-shake trajectories, played back on a robot and
# photographed with a real camera -> real optical (non-uniform) motion blur.
# Re-hosted by FWen/deblur-pmp in BlurryImages/Blurry<scene>_<trajectory>.png.
# The sharp ground truth is not in that repo; pair_id groups one scene.
KOHLER_RE = re.compile(r"^BlurryImages/Blurry([1-4])_(\d{1,2})\.png$")


def rule_kohler(path):
    m = KOHLER_RE.match(path)
    if not m:
        return None
    sc, tr = m.groups()
    return rec("blurred", "motion", f"scene{sc}_traj{int(tr):02d}.png",
               pair_id=f"kohler_scene{sc}")


# Classic real camera-shake photos used as "real blurry image" inputs by the
# blind-deconvolution literature (Fergus 2006, Cho & Lee 2009, Hu et al. 2014
# low-light set, Pan et al. 2014-2016, Lai et al. 2016 real set). Re-hosted in
# FWen/deblur-pmp sample_images/ (copied from Pan's dark-channel code) and in
# csdwren/SelfDeblur datasets/real/. Checked by eye (full-res centre crops):
# every file kept is visibly camera-shake blurred. Left out: Blurry2_8 /
# Blurry4_6 / Blurry4_9 (byte-identical to the Koehler files above),
# im05_ker04_blur (Sun et al. synthetic set), 7_patch_use and 26.blurred
# (origin unknown, could be synthetic), SelfDeblur flower.jpg (same photo as
# sample_images/flower.jpg). Tag night = dark scene with point lights.
CLASSIC_PAN = {  # file in sample_images/ -> tags
    "26.png": ("night",),                 # "topresso" shop front (Lai real set)
    "IMG_0650_small_patch.png": ("night",),
    "IMG_0664_small_patch.png": ("night",),
    "IMG_1240_blur.png": (),
    "IMG_4355_small.png": (),
    "IMG_4548_small.png": ("night",),
    "IMG_4561.JPG": ("night",),
    "blurry_2_small.png": ("night",),     # dim indoor party
    "blurry_7.png": ("night",),
    "boat.jpg": (),
    "building.jpg": (),
    "flower.jpg": (),
    "flower_blurred.png": (),
    "las_vegas_saturated.png": ("night",),
    "my_test_car6.png": ("night",),
    "postcard.png": (),
    "real_blur_img3.png": (),
    "real_disney.jpg": (),
    "real_img2.png": (),
    "real_leaf.png": (),
    "roma.png": (),
    "summerhouse.jpg": (),
    "toy.png": (),
    "wall.png": (),
}
CLASSIC_SELFDEBLUR = {"datasets/real/fishes.jpg": (), "datasets/real/house.jpg": ()}


def rule_classic_pmp(path):
    if not path.startswith("sample_images/"):
        return None
    fn = path.split("/", 1)[1]
    if fn not in CLASSIC_PAN:
        return None
    return rec("blurred", "motion", fn, tags=CLASSIC_PAN[fn])


def rule_classic_selfdeblur(path):
    if path not in CLASSIC_SELFDEBLUR:
        return None
    return rec("blurred", "motion", os.path.basename(path), tags=CLASSIC_SELFDEBLUR[path])


# Levin et al. CVPR 2009 benchmark as PNGs in csdwren/SelfDeblur: 4 sharp
# 255x255 grey crops (gt/im<n>.png, photographed on a locked tripod) and
# 32 blurred versions made by convolving them with 8 *recorded* camera-shake
# kernels -> the blur is synthetic (tag), the pairs are pixel-aligned.
# Only 3 of the 8 kernels are kept (a few, as for GoPro).
LEVIN_KERNELS = {1, 4, 8}
LEVIN_BLUR_RE = re.compile(r"^datasets/levin/im([1-4])_kernel([1-8])_img\.png$")
LEVIN_GT_RE = re.compile(r"^datasets/levin/gt/im([1-4])\.png$")


def rule_levin(path):
    m = LEVIN_GT_RE.match(path)
    if m:
        return rec("sharp", "none", f"im{m.group(1)}_gt.png", pair_id=f"levin_im{m.group(1)}")
    m = LEVIN_BLUR_RE.match(path)
    if m and int(m.group(2)) in LEVIN_KERNELS:
        im, k = m.groups()
        return rec("blurred", "motion", f"im{im}_kernel{k}.png", pair_id=f"levin_im{im}",
                   tags=("synthetic",))
    return None


# --------------------------------------------------------------------------
# Ordinary sharp camera/phone photos (third pass). All per-file decisions
# below come from a look at each photo (thumbnail + a 300 px centre crop of
# the photo scaled to 1280 px). Files not listed were left out: thumbnails
# (<= 100 px), renders, scans of artwork/posters, text overlays, undecodable
# or grey files, and photos that did not look clearly sharp at screen size.
# Output names carry the camera: <Make_Model>/<file>.
# --------------------------------------------------------------------------
# ianare/exif-samples (EXIF test images). path -> (camera dir, tags, pair_id)
EXIF_SAMPLES = {
    "jpg/Canon_PowerShot_S40.jpg": ("Canon_PowerShot_S40", (), ""),
    "jpg/exif-org/canon-ixus.jpg": ("Canon_DIGITAL_IXUS", (), ""),
    "jpg/exif-org/fujifilm-dx10.jpg": ("Fujifilm_DX-10", (), ""),
    "jpg/exif-org/fujifilm-finepix40i.jpg": ("Fujifilm_FinePix40i", (), ""),
    "jpg/exif-org/fujifilm-mx1700.jpg": ("Fujifilm_MX-1700", (), ""),
    "jpg/exif-org/kodak-dc210.jpg": ("Kodak_DC210", ("night",), ""),  # flash, dark street
    "jpg/exif-org/nikon-e950.jpg": ("Nikon_E950", (), ""),
    "jpg/exif-org/olympus-c960.jpg": ("Olympus_C960", (), ""),
    "jpg/exif-org/olympus-d320l.jpg": ("Olympus_D320L", (), ""),
    "jpg/exif-org/ricoh-rdc5300.jpg": ("Ricoh_RDC-5300", (), ""),
    "jpg/exif-org/sanyo-vpcg250.jpg": ("Sanyo_VPC-G250", (), ""),
    "jpg/exif-org/sanyo-vpcsx550.jpg": ("Sanyo_VPC-SX550", (), ""),
    "jpg/exif-org/sony-cybershot.jpg": ("Sony_Cybershot", (), ""),
    "jpg/exif-org/sony-d700.jpg": ("Sony_DSC-D700", (), ""),
    "jpg/exif-org/sony-powershota5.jpg": ("Canon_PowerShot_A5", (), ""),
    **{f"jpg/gps/DSCN00{n}.jpg": ("Nikon_COOLPIX_P6000", (), "")
       for n in ("10", "12", "21", "25", "27", "29", "38", "40", "42")},
    "jpg/hdr/canon_hdr_NO.jpg": ("Canon_PowerShot_SX60_HS", (), "exif_canon_hdr"),
    "jpg/hdr/canon_hdr_YES.jpg": ("Canon_PowerShot_SX60_HS", (), "exif_canon_hdr"),
    "jpg/hdr/iphone_hdr_NO.jpg": ("Apple_iPhone_6", (), "exif_iphone_hdr"),
    "jpg/hdr/iphone_hdr_YES.jpg": ("Apple_iPhone_6", (), "exif_iphone_hdr"),
    "jpg/mobile/HMD_Nokia_8.3_5G.jpg": ("HMD_Nokia_8.3_5G", ("low_texture",), ""),  # sea + sky
    "jpg/mobile/jolla.jpg": ("Jolla_Jolla", (), ""),                 # leaf macro
    "jpg/Reconyx_HC500_Hyperfire.jpg": ("Reconyx_HC500", (), ""),    # trail camera, snow
    "jpg/tests/11-tests.jpg": ("Canon_DIGITAL_IXUS_40", (), ""),
    "jpg/tests/28-hex_value.jpg": ("Canon_DIGITAL_IXUS_40", (), ""),
    "jpg/tests/30-type_error.jpg": ("unknown_camera", (), ""),       # no Make/Model in EXIF
    "jpg/tests/33-type_error.jpg": ("Canon_PowerShot_G9", ("low_texture",), ""),  # clouds
    "jpg/tests/35-empty.jpg": ("Casio_EX-Z750", (), ""),
    "jpg/tests/42_IndexError.jpg": ("Olympus_E-P3", (), ""),         # painting in a museum
    "jpg/tests/87_OSError.jpg": ("Nikon_D70s", (), ""),
}


def rule_exif_samples(path):
    if path not in EXIF_SAMPLES:
        return None
    cam, tags, pid = EXIF_SAMPLES[path]
    return rec("sharp", "none", f"{cam}/{os.path.basename(path)}", pair_id=pid, tags=tags)


# MikeKovarik/exifr test/fixtures (EXIF parser test photos).
EXIFR = {
    "test/fixtures/Bush-dog.jpg": ("unknown_camera", ()),
    "test/fixtures/IMG_20180725_163423.jpg": ("Google_Pixel", ()),
    "test/fixtures/sidecar/IMG_5910.jpg": ("Canon_EOS_600D", ("bokeh",)),  # squirrel
    "test/fixtures/broken1.jpg": ("Canon_EOS_30D", ()),
    "test/fixtures/door-knocker.jpg": ("Olympus_E-M10", ()),
    "test/fixtures/iptc-mess.jpg": ("Nikon_D3S", ()),
    "test/fixtures/issue-fast-exif-2.jpg": ("Nikon_D700", ("night",)),     # dark event, flash
}


def rule_exifr(path):
    if path not in EXIFR:
        return None
    cam, tags = EXIFR[path]
    return rec("sharp", "none", f"{cam}/{os.path.basename(path)}", tags=tags)


# immich-app/test-assets (photo-manager test photos, README: public domain).
IMMICH = {
    "albums/nature/cyclamen_persicum.jpg": ("Fujifilm_FinePix_S3Pro", ("bokeh",)),
    "albums/nature/el_torcal_rocks.jpg": ("Sony_DSLR-A550", ()),
    "albums/nature/notocactus_minimus.jpg": ("Pentax_K10D", ("bokeh",)),
    "albums/nature/orychophragmus_violaceus.jpg": ("unknown_camera", ("bokeh",)),
    "albums/nature/polemonium_reptans.jpg": ("unknown_camera", ("bokeh",)),
    "albums/nature/prairie_falcon.jpg": ("Canon_EOS_R5", ()),
    "albums/nature/silver_fir.jpg": ("unknown_camera", ()),
    "albums/nature/tanners_ridge.jpg": ("Nikon_D750", ()),
    "albums/nature/wood_anemones.jpg": ("unknown_camera", ()),
    "albums/text/book-beside-flowers.jpg": ("unknown_camera", ("bokeh",)),
    "albums/text/craft-beer.jpg": ("unknown_camera", ("bokeh",)),
    "albums/text/handwritten-notes.jpg": ("unknown_camera", ()),
    "albums/text/japanese-shop.jpg": ("unknown_camera", ("night",)),
    "formats/webp/denali.webp": ("Canon_EOS_7D", ()),
    "metadata/gps-position/empty_gps.jpg": ("Motorola_moto_g9_plus", ()),  # cat on a chair
    "metadata/rating/mongolels.jpg": ("Canon_EOS_500D", ("low_texture",)),  # sand dunes
}


def rule_immich(path):
    if path not in IMMICH:
        return None
    cam, tags = IMMICH[path]
    return rec("sharp", "none", f"{cam}/{os.path.basename(path)}", tags=tags)


# Tech4Tracing/CartridgeOCR imagesForTesting/: hand-held phone close-ups of
# cartridge head stamps (Pixel 5, iPhone 11). The subject is sharp, the
# background falls off (close focus) -> sharp + bokeh. A subset of distinct
# shots is kept (the folder repeats the same few cartridges).
CARTRIDGE = {
    "imagesForTesting/2021-05-15/PXL_20210515_181305750.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-15/PXL_20210515_181322806.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-18/PXL_20210518_205451963.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-18/PXL_20210518_205508205.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-18/PXL_20210518_205520152.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-18/PXL_20210518_205528538.jpg": "Google_Pixel_5",
    "imagesForTesting/2021-05-18/PXL_20210518_205615607.jpg": "Google_Pixel_5",
    "imagesForTesting/deviceComparison/androidPixel5/PXL_20210518_214231388.jpg": "Google_Pixel_5",
    "imagesForTesting/deviceComparison/iPhone11/IMG_5810.JPG": "Apple_iPhone_11",
    "imagesForTesting/deviceComparison/iPhone11/IMG_5812.JPG": "Apple_iPhone_11",
    "imagesForTesting/deviceComparison/iPhone11/IMG_5813.JPG": "Apple_iPhone_11",
    "imagesForTesting/deviceComparison/iPhone11/IMG_5814.JPG": "Apple_iPhone_11",
    "imagesForTesting/deviceComparison/iPhone11/IMG_5817.JPG": "Apple_iPhone_11",
}


def rule_cartridge(path):
    if path not in CARTRIDGE:
        return None
    return rec("sharp", "none", f"{CARTRIDGE[path]}/{os.path.basename(path)}", tags=("bokeh",))


# drewnoakes/digicam_corpus: every camera photographed an X-Rite colour
# checker (not an everyday scene) -> all tagged low_texture. Kept: charts that
# are clearly sharp at screen size, one per camera, and the four HP Photosmart
# 735 shots whose chart is plainly out of focus (real defocus, whole frame).
# Many other charts are mildly soft and were left out as ambiguous.
DIGICAM = {
    "Apple/iPhone XR/IMG_3588.JPG": ("sharp", "none"),
    "Canon/EOS RP/_MG_0631.JPG": ("sharp", "none"),
    "Canon/PowerShot G2/IMG_0303.JPG": ("sharp", "none"),
    "Canon/PowerShot S40/IMG_0103.JPG": ("sharp", "none"),
    "Canon/PowerShot S50/IMG_1912.JPG": ("sharp", "none"),
    "HP/Photosmart 435/IM000290.JPG": ("sharp", "none"),
    "HP/Photosmart M417/HPIM0007.JPG": ("sharp", "none"),
    "HP/Photosmart M417/HPIM0012.JPG": ("sharp", "none"),
    "HP/Photosmart 735/HPIM1007.JPG": ("blurred", "defocus"),
    "HP/Photosmart 735/HPIM1007_2.JPG": ("blurred", "defocus"),
    "HP/Photosmart 735/HPIM1008.JPG": ("blurred", "defocus"),
    "HP/Photosmart 735/HPIM1010.JPG": ("blurred", "defocus"),
}


def rule_digicam(path):
    if path not in DIGICAM:
        return None
    label, bt = DIGICAM[path]
    make, model, fn = path.split("/")
    cam = f"{make}_{model}".replace(" ", "_")
    pid = "digicam_hp735" if model == "Photosmart 735" else ""
    return rec(label, bt, f"{cam}/{fn}", pair_id=pid, tags=("low_texture",))


# source name -> list of (repo, rule); order matters for determinism only.
SOURCES = collections.OrderedDict([
    # Split by repository: the 1024 px re-host (phones) is fitted on, Kwentar's own
    # full-resolution triplets (other devices) stay held out.
    ("kwentar", [("Kwentar/blur_dataset", rule_kwentar)]),
    ("kwentar_scaled", [("michael0218/blur_detection", rule_kwentar)]),
    ("cuhk_dbd", [("xinario/defocus_segmentation", rule_cuhk),
                  ("Utkarsh-Deshmukh/Spatially-Varying-Blur-Detection-python", rule_cuhk)]),
    ("ebb_vabd", [("MoTong-AI-studio/VABM", rule_vabm)]),
    ("srn_deblur", [("jiangsutx/SRN-Deblur", rule_srn)]),
    ("su_blurdetect", [("fled/blur_detection", rule_fled)]),
    ("dicm_lowlight", [("Li-Chongyi/Zero-DCE", rule_dicm)]),
    ("kohler", [("FWen/deblur-pmp", rule_kohler)]),
    ("classic_real", [("FWen/deblur-pmp", rule_classic_pmp),
                      ("csdwren/SelfDeblur", rule_classic_selfdeblur)]),
    ("levin", [("csdwren/SelfDeblur", rule_levin)]),
    ("exif_samples", [("ianare/exif-samples", rule_exif_samples)]),
    ("exifr_fixtures", [("MikeKovarik/exifr", rule_exifr)]),
    ("immich_assets", [("immich-app/test-assets", rule_immich)]),
    ("cartridge_phone", [("Tech4Tracing/CartridgeOCR", rule_cartridge)]),
    ("digicam_charts", [("drewnoakes/digicam_corpus", rule_digicam)]),
])


def select(items, cap):
    """Deterministic cap that keeps same-scene groups together."""
    groups = collections.OrderedDict()
    for it in items:
        key = it["pair_id"] or it["path"]
        groups.setdefault(key, []).append(it)
    order = sorted(groups, key=lambda k: hashlib.sha1(k.encode()).hexdigest())
    out = []
    for k in order:
        if len(out) + len(groups[k]) > cap:
            continue
        out.extend(groups[k])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default=os.path.join(HERE, "data"))
    ap.add_argument("--cap", type=int, default=300, help="max images per source")
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    rows, used = [], {}
    for src, repos in SOURCES.items():
        items = []
        for repo, rule in repos:
            gd = git_dir(a.mirror, repo)
            if gd is None:
                print(f"[skip] {src}: mirror of {repo} missing -> fetch github:{repo}",
                      file=sys.stderr)
                continue
            commit = git(gd, "rev-parse", "HEAD").strip()
            used.setdefault(src, []).append({"repo": repo, "commit": commit})
            for path, size in ls_images(gd):
                r = rule(path)
                if r is None:
                    continue
                r.update(repo=repo, gd=gd, src_path=path, path=f"{src}/{r['name']}")
                items.append(r)
        seen = set()
        uniq = []
        for it in items:  # guard against duplicate output names
            if it["path"] in seen:
                print(f"[warn] duplicate {it['path']} from {it['repo']}", file=sys.stderr)
                continue
            seen.add(it["path"])
            uniq.append(it)
        for it in select(uniq, a.cap):
            dst = os.path.join(a.out, it["path"])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            try:
                blob = git(it["gd"], "show", f"HEAD:{it['src_path']}", binary=True)
            except subprocess.CalledProcessError:
                print(f"[warn] blob missing in snapshot: {it['repo']}:{it['src_path']}",
                      file=sys.stderr)
                continue
            if len(blob) < 1024 or blob.startswith(b"version https://git-lfs"):
                print(f"[warn] LFS pointer/empty: {it['repo']}:{it['src_path']}", file=sys.stderr)
                continue
            with open(dst, "wb") as f:
                f.write(blob)
            rows.append({k: it[k] for k in ("path", "label", "blur_type", "pair_id", "tags")}
                        | {"source": src})

    rows.sort(key=lambda r: r["path"])
    with open(os.path.join(a.out, "manifest.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["path", "source", "label", "blur_type", "pair_id", "tags"])
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "sources.json"), "w") as f:
        json.dump(used, f, indent=2)

    # summary
    print(f"{len(rows)} images -> {os.path.join(a.out, 'manifest.csv')}")
    c = collections.Counter((r["source"], r["label"], r["blur_type"]) for r in rows)
    print("\nsource            label    blur_type  n")
    for (s, l, b), n in sorted(c.items()):
        print(f"{s:<17} {l:<8} {b:<10} {n}")
    t = collections.Counter()
    for r in rows:
        for tag in filter(None, r["tags"].split(";")):
            t[(r["source"], tag)] += 1
    print("\nsource            tag          n")
    for (s, tag), n in sorted(t.items()):
        print(f"{s:<17} {tag:<12} {n}")
    print("\ntotals:", dict(collections.Counter(r["label"] for r in rows)),
          dict(collections.Counter(r["blur_type"] for r in rows)))
    print("pairs (scenes with >1 image):",
          sum(1 for v in collections.Counter(r["pair_id"] for r in rows if r["pair_id"]).values() if v > 1))


if __name__ == "__main__":
    main()
