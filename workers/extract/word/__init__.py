"""Word files: `.docx` from its XML (docx_*), `.doc`/`.wps` from the Word 97 binary
(word97*) with LibreOffice's conversion kept beside it (`..convert`)."""
