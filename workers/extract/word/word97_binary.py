"""Decode the main text and paragraph properties of a Word 97 (.doc/.wps) file.

Only what the model needs, straight from [MS-DOC]: the piece table (CLX) that
maps character positions to bytes of the WordDocument stream, and the
paragraph properties (PAPX in FKP pages) that say whether a paragraph sits in
a table, ends a table row (TTP) and, on a row end, where its cells' edges are
and which cells continue a vertical merge.  LibreOffice sometimes drops table
structure when it converts these files; the binary itself keeps it.
"""
from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field

import olefile

# FIB offsets ([MS-DOC] 2.5.1): FibBase flags, ccpText in FibRgLw97, then the
# FibRgFcLcb97 pairs (fc, lcb) starting at 0x9A.
_FIB_FLAGS = 0x0A
_FIB_CCP_TEXT = 0x4C
_FIB_RGFCLCB = 0x9A
_IDX_PLCF_BTE_PAPX = 13
_IDX_CLX = 33

# sprm codes used here
SPRM_P_F_PAGE_BREAK_BEFORE = 0x2407
SPRM_P_F_IN_TABLE = 0x2416
SPRM_P_F_TTP = 0x2417
SPRM_P_ITAP = 0x6649
SPRM_P_F_INNER_TTP = 0x244C
SPRM_P_F_INNER_TABLE_CELL = 0x244B
SPRM_P_HUGE_PAPX = 0x6646
SPRM_T_DEF_TABLE = 0xD608
SPRM_T_VERT_MERGE = 0xD62B


class Word97Error(Exception):
    """The file is not a Word 97 document we can decode (English detail)."""


class NotWordError(Word97Error):
    """Not a compound file at all (a text file renamed .doc, a truncated file)."""


class EncryptedError(Word97Error):
    """A password-protected (encrypted or obfuscated) Word file."""


@dataclass
class RowDef:
    """A table row's layout from its TTP: cell edges (twips) and merge flags."""
    centers: list[int]                     # NumberOfColumns + 1 edges
    vert_merge: list[int]                  # per cell: 0 none, 1 continue, 3 restart
    horz_merge: list[int]                  # per cell: 0 none, 1 first, 2 merged into previous


@dataclass
class Para:
    """One paragraph (or cell end, or row end) of the main text."""
    text: str                              # without its end mark
    end: str                               # "\r", "\x07" or "" (end of text)
    cp: int                                # character position of its first char
    in_table: bool = False
    ttp: bool = False                      # the row-end mark of an (outer) table row
    itap: int = 0                          # table depth; 0 outside tables
    inner_cell: bool = False               # the end mark of a nested table's cell
    inner_ttp: bool = False                # the row-end mark of a nested table's row
    row: RowDef | None = None
    page_break_before: bool = False


@dataclass
class Word97Text:
    paras: list[Para] = field(default_factory=list)
    num_pages: int | None = None           # from the summary information, when saved


@dataclass
class _Piece:
    cp0: int
    cp1: int
    fc: int
    compressed: bool

    def fc_of(self, cp: int) -> int:
        return self.fc + (cp - self.cp0) * (1 if self.compressed else 2)


def _fc_lcb(wd: bytes, index: int) -> tuple[int, int]:
    off = _FIB_RGFCLCB + index * 8
    if off + 8 > len(wd):
        raise Word97Error("FIB too short")
    return struct.unpack_from("<II", wd, off)


def _pieces(wd: bytes, table: bytes) -> list[_Piece]:
    fc_clx, lcb_clx = _fc_lcb(wd, _IDX_CLX)
    clx = table[fc_clx:fc_clx + lcb_clx]
    if lcb_clx == 0 or len(clx) != lcb_clx:
        raise Word97Error("no CLX (piece table)")
    i = 0
    while i < len(clx) and clx[i] == 0x01:           # Prc: property modifiers, skipped
        (cb,) = struct.unpack_from("<H", clx, i + 1)
        i += 3 + cb
    if i >= len(clx) or clx[i] != 0x02:
        raise Word97Error("CLX has no Pcdt")
    (lcb,) = struct.unpack_from("<I", clx, i + 1)
    plc = clx[i + 5:i + 5 + lcb]
    n = (lcb - 4) // 12
    if n <= 0 or len(plc) < 4 * (n + 1) + 8 * n:
        raise Word97Error("bad PlcPcd")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for k in range(n):
        (fc,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)
        compressed = bool(fc & 0x40000000)
        fc &= 0x3FFFFFFF
        out.append(_Piece(cps[k], cps[k + 1], fc // 2 if compressed else fc, compressed))
    return out


def _piece_text(wd: bytes, p: _Piece) -> str:
    n = p.cp1 - p.cp0
    if p.compressed:
        return wd[p.fc:p.fc + n].decode("cp1252", "replace")
    return wd[p.fc:p.fc + 2 * n].decode("utf-16le", "replace")


_SPRA_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}


def iter_sprms(grpprl: bytes):
    """Yield (sprm, operand bytes) from a grpprl, stopping at a truncated one."""
    i = 0
    while i + 2 <= len(grpprl):
        (sprm,) = struct.unpack_from("<H", grpprl, i)
        i += 2
        spra = sprm >> 13
        if spra == 6:
            if sprm == SPRM_T_DEF_TABLE or sprm == 0xC615:   # 2-byte length (cb counts itself + 1)
                if i + 2 > len(grpprl):
                    return
                (cb,) = struct.unpack_from("<H", grpprl, i)
                size, start = cb - 1, i + 2
            else:
                if i >= len(grpprl):
                    return
                size, start = grpprl[i], i + 1
        else:
            size, start = _SPRA_SIZE[spra], i
        if start + size > len(grpprl):
            return
        yield sprm, grpprl[start:start + size]
        i = start + size


def _row_def(op: bytes) -> RowDef:
    ncols = op[0]
    centers = list(struct.unpack_from(f"<{ncols + 1}h", op, 1)) if len(op) >= 1 + 2 * (ncols + 1) else []
    vert, horz = [], []
    base = 1 + 2 * (ncols + 1)
    for c in range(ncols):
        off = base + 20 * c
        if off + 2 <= len(op):
            (grf,) = struct.unpack_from("<H", op, off)
            horz.append(grf & 0x3)
            vert.append((grf >> 5) & 0x3)
        else:                       # TC80s may be left out for trailing cells
            horz.append(0)
            vert.append(0)
    return RowDef(centers, vert, horz)


def _apply_grpprl(p: Para, grpprl: bytes, data: bytes) -> None:
    for sprm, op in iter_sprms(grpprl):
        if sprm == SPRM_P_HUGE_PAPX and len(op) == 4 and data:
            # the properties were too big for the FKP: they live in the Data stream
            (fc,) = struct.unpack_from("<I", op)
            if fc + 2 <= len(data):
                (cb,) = struct.unpack_from("<H", data, fc)
                _apply_grpprl(p, data[fc + 2:fc + 2 + cb], b"")
        elif sprm == SPRM_P_F_PAGE_BREAK_BEFORE:
            p.page_break_before = bool(op[0])
        elif sprm == SPRM_P_F_IN_TABLE:
            p.in_table = bool(op[0])
        elif sprm == SPRM_P_F_TTP:
            p.ttp = bool(op[0])
        elif sprm == SPRM_P_F_INNER_TABLE_CELL:
            p.inner_cell = bool(op[0])
        elif sprm == SPRM_P_F_INNER_TTP:
            p.inner_ttp = bool(op[0])
        elif sprm == SPRM_P_ITAP:
            p.itap = struct.unpack_from("<i", op)[0]
        elif sprm == SPRM_T_DEF_TABLE and op:
            p.row = _row_def(op)
        elif sprm == SPRM_T_VERT_MERGE and len(op) >= 2 and p.row is not None:
            itc, flag = op[0], op[1]
            if itc < len(p.row.vert_merge):
                p.row.vert_merge[itc] = flag


class _PapxIndex:
    """Paragraph properties by the file offset of a paragraph's end mark."""

    def __init__(self, wd: bytes, table: bytes) -> None:
        self.wd = wd
        fc, lcb = _fc_lcb(wd, _IDX_PLCF_BTE_PAPX)
        plc = table[fc:fc + lcb]
        n = (lcb - 4) // 8 if lcb >= 4 else 0
        self.pages: list[int] = []
        if n > 0 and len(plc) >= 4 * (n + 1) + 4 * n:
            self.pages = [v & 0x3FFFFF for v in struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))]
        # every run (fc0, fc1, grpprl) of every FKP page, sorted by fc0
        runs: list[tuple[int, int, bytes]] = []
        for pn in self.pages:
            page = wd[pn * 512:(pn + 1) * 512]
            if len(page) < 512:
                continue
            crun = page[511]
            if 4 * (crun + 1) + 13 * crun > 511:
                continue
            fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
            for k in range(crun):
                boff = page[4 * (crun + 1) + 13 * k] * 2
                grpprl = b""
                if boff:
                    cb = page[boff]
                    if cb:
                        body = page[boff + 1:boff + 1 + 2 * cb - 1]
                    else:
                        cb2 = page[boff + 1]
                        body = page[boff + 2:boff + 2 + 2 * cb2]
                    grpprl = body[2:]                  # after istd
                runs.append((fcs[k], fcs[k + 1], grpprl))
        runs.sort(key=lambda r: r[0])
        self.runs = runs
        self.starts = [r[0] for r in runs]

    def grpprl_at(self, fc: int) -> bytes:
        k = bisect.bisect_right(self.starts, fc) - 1
        if k >= 0 and self.runs[k][0] <= fc < self.runs[k][1]:
            return self.runs[k][2]
        return b""


def summary_page_count(ole: olefile.OleFileIO) -> int | None:
    """PIDSI_PAGECOUNT of the SummaryInformation property set, read alone.  Not olefile's
    get_metadata: it parses every property, a damaged vector count there loops for hours
    (fuzz: one flipped bit), and its `except BaseException` swallows any interrupt."""
    try:
        if not ole.exists(_SUMMARY):
            return None
        s = ole.openstream(_SUMMARY).read()
        # header (28 bytes), then the first section's FMTID (16) and its offset
        (section,) = struct.unpack_from("<I", s, 44)
        _, count = struct.unpack_from("<II", s, section)
        for i in range(min(count, max(0, len(s) - section - 8) // 8)):
            pid, offset = struct.unpack_from("<II", s, section + 8 + 8 * i)
            if pid == _PIDSI_PAGECOUNT:
                vt, pages = struct.unpack_from("<Ii", s, section + offset)
                return pages if vt == _VT_I4 and pages > 0 else None
    except Exception:  # noqa: BLE001 - summary info is optional and often odd; olefile raises many kinds
        return None
    return None


_SUMMARY = "\x05SummaryInformation"
_PIDSI_PAGECOUNT = 14
_VT_I4 = 3


def summary_pages(path: str) -> int | None:
    """The page count the saving application wrote in the summary information, without
    decoding the text (None: not a compound file, or no count)."""
    try:
        ole = olefile.OleFileIO(path)
    except (OSError, ValueError, struct.error):
        return None
    with ole:
        return summary_page_count(ole)


def read_word97_text(path: str) -> Word97Text:
    """The main document text of a Word 97 file as paragraphs with table marks."""
    try:
        ole = olefile.OleFileIO(path)
    except (OSError, ValueError, struct.error) as e:      # not an OLE file / damaged
        raise NotWordError(f"not a compound file: {e}") from e
    with ole:
        if not ole.exists("WordDocument"):
            # a compound file, but not Word's (an MS Works .wps, say): LibreOffice may know it
            raise Word97Error("no WordDocument stream")
        wd = ole.openstream("WordDocument").read()
        if len(wd) < 0x1A2 + 8:
            raise Word97Error("WordDocument stream too short")
        (ident, ) = struct.unpack_from("<H", wd, 0)
        if ident != 0xA5EC:
            raise Word97Error(f"not a Word 97 FIB (wIdent {ident:#x})")
        (nfib,) = struct.unpack_from("<H", wd, 2)
        if nfib < 0x00C1:
            # Word 6/95 lay the FIB out differently: leave those to LibreOffice
            raise Word97Error(f"pre-Word 97 file (nFib {nfib:#x})")
        (flags,) = struct.unpack_from("<H", wd, _FIB_FLAGS)
        if flags & 0x0100:
            raise EncryptedError("encrypted or obfuscated document")
        tname = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(tname):
            raise Word97Error(f"no {tname} stream")
        table = ole.openstream(tname).read()
        data = ole.openstream("Data").read() if ole.exists("Data") else b""
        num_pages = summary_page_count(ole)
        try:
            pieces = _pieces(wd, table)
            papx = _PapxIndex(wd, table)
        except struct.error as e:
            raise Word97Error(f"damaged tables: {e}") from e

    (ccp_text,) = struct.unpack_from("<i", wd, _FIB_CCP_TEXT)
    # main text only (footnotes, headers etc. follow it in CP space)
    chars: list[str] = []
    for p in pieces:
        if p.cp0 >= ccp_text:
            break
        chars.append(_piece_text(wd, p)[:max(0, ccp_text - p.cp0)])
    text = "".join(chars)

    def fc_of(cp: int) -> int:
        for p in pieces:
            if p.cp0 <= cp < p.cp1:
                return p.fc_of(cp)
        return -1

    out = Word97Text(num_pages=num_pages)
    start = 0
    for i, ch in enumerate(text):
        if ch in "\r\x07":
            para = Para(text[start:i], ch, start)
            _apply_grpprl(para, papx.grpprl_at(fc_of(i)), data)
            out.paras.append(para)
            start = i + 1
    if start < len(text):
        out.paras.append(Para(text[start:], "", start))
    return out
