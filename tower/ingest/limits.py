"""What an imported file may hold at most: checked before anything is read or stored.

Hostile or broken files must end in a clear error, never in a process killed for memory or a
database error. The limits are named here, once; tests lower them to build a bomb quickly.

- XLSX is a zip: a 2 MB workbook may inflate to gigabytes (a zip bomb). Its central directory
  states every member's uncompressed size and the sheet states its dimension, both readable
  without inflating anything. 1 GiB holds the largest real export we expect (a million lines of
  about 25 columns is some 900 MB of sheet XML) while keeping a reader's memory bounded; 30
  million cells is such an export's cell count with room to spare.
- Numbers: quantities, outputs, values and rates are finite and below 10^12 in size (a trillion
  units or a trillion in any currency is beyond any order, batch or plan); 1e308, inf and nan
  would otherwise reach the figures as "inf %" or a failed export.
- Text: as long as its database column (tower.imports derives that from the models); text
  columns without a length (notes, titles) hold at most TEXT_CELL_CHARS characters, so that a
  50 MB cell is an error rather than a row. Control characters (NUL and the like) are refused
  everywhere: PostgreSQL cannot store NUL, and none belongs in a code, a name or a note. Tab and
  line breaks are allowed (a note may have several lines).
"""

from __future__ import annotations

XLSX_MAX_UNCOMPRESSED_BYTES = 1 << 30  # 1 GiB, the sum of every member of the workbook's zip
XLSX_MAX_CELLS = 30_000_000  # rows x columns of the sheet's dimension, or its shared strings

MAX_NUMBER = 1e12  # |x| of any imported number
TEXT_CELL_CHARS = 10_000  # a text cell whose column has no length of its own

# C0 control characters except tab (\x09), line feed (\x0a) and carriage return (\x0d), and DEL.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
