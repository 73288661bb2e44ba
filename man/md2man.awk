# md2man.awk: the Markdown of docs/board-format*.md as man(7) roff, for
# boardvm-board(5). Handles what those documents use: headings, fenced
# code, pipe tables (as tbl(1) tables: the page starts with '\" t),
# bullet lists (nested by two spaces), paragraphs, `code`, **bold** and
# [links](target) (the text is kept).
#
#   awk -v top=sh|ss -f man/md2man.awk FILE.md
# top=sh: the first "# " title is dropped, "## " is .SH, "### " is .SS;
# top=ss: "# " is .SH, "## " and "### " are .SS.

function esc_char(c) {
	if (c == "\\")
		return "\\e"
	return c
}

# Inline Markdown to roff: code and bold to \fB, links to their text.
function inline(s,    out, i, c, code, bold, n) {
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {
		n = substr(s, RSTART, RLENGTH)
		sub(/\]\(.*$/, "", n)
		s = substr(s, 1, RSTART - 1) substr(n, 2) substr(s, RSTART + RLENGTH)
	}
	out = ""
	code = 0
	bold = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "`") {
			code = !code
			out = out (code ? "\\fB" : (bold ? "\\fB" : "\\fR"))
		} else if (!code && substr(s, i, 2) == "**") {
			bold = !bold
			out = out (bold ? "\\fB" : "\\fR")
			i++
		} else if (code && c == "-") {
			out = out "\\-"
		} else if (c == "\\" && substr(s, i + 1, 1) == "|") {
			out = out "|"
			i++
		} else {
			out = out esc_char(c)
		}
	}
	if (code || bold)
		out = out "\\fR"
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function verbatim(s,    out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		out = out (c == "\\" ? "\\e" : c == "-" ? "\\-" : c)
	}
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function heading(text) {
	gsub(/`/, "", text)
	gsub(/"/, "", text)
	return text
}

function close_lists() {
	while (depth > 0) {
		print ".RE"
		depth--
	}
	in_list = 0
}

function flush_table(    r, c, n, spec, cells, line) {
	if (!nrows)
		return
	print ".TS"
	print "allbox;"
	spec = ""
	for (c = 1; c <= ncols; c++)
		spec = spec (c > 1 ? " " : "") (c == ncols ? "lbx" : "lb")
	print spec
	spec = ""
	for (c = 1; c <= ncols; c++)
		spec = spec (c > 1 ? " " : "") (c == ncols ? "lx" : "l")
	print spec "."
	for (r = 1; r <= nrows; r++) {
		line = ""
		for (c = 1; c <= ncols; c++) {
			line = line (c > 1 ? "\t" : "") "T{\n" inline(cell[r, c]) "\nT}"
		}
		print line
	}
	print ".TE"
	nrows = 0
}

# The cells of "| a | b \| c |".
function table_row(s,    n, c, i, ch, cur) {
	sub(/^[ \t]*\|/, "", s)
	sub(/\|[ \t]*$/, "", s)
	n = 0
	cur = ""
	for (i = 1; i <= length(s); i++) {
		ch = substr(s, i, 1)
		if (ch == "\\" && substr(s, i + 1, 1) == "|") {
			cur = cur "\\|"
			i++
		} else if (ch == "|") {
			cell[nrows + 1, ++n] = trim(cur)
			cur = ""
		} else {
			cur = cur ch
		}
	}
	cell[nrows + 1, ++n] = trim(cur)
	nrows++
	if (n > ncols)
		ncols = n
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

BEGIN { depth = 0; in_list = 0; nrows = 0; ncols = 0; para = 1; dropped = 0 }

in_code {
	if ($0 ~ /^```/) {
		print ".fi"
		print ".RE"
		in_code = 0
		para = 1
	} else {
		print verbatim($0)
	}
	next
}

/^```/ {
	flush_table()
	close_lists()
	print ".PP"
	print ".RS 4"
	print ".nf"
	in_code = 1
	next
}

/^[ \t]*\|/ {
	if (!nrows) {
		close_lists()
		ncols = 0
	}
	if ($0 ~ /^[ \t]*\|[ \t:|-]*$/)		# the |---|---| line
		next
	table_row($0)
	next
}

{ flush_table() }

/^#+ / {
	close_lists()
	level = index($0, " ") - 1
	text = heading(substr($0, level + 2))
	if (top == "sh" && level == 1 && !dropped) {
		dropped = 1
		next
	}
	if ((top == "sh" && level == 2) || (top == "ss" && level == 1))
		print ".SH \"" toupper(text) "\""
	else
		print ".SS \"" text "\""
	para = 0
	next
}

/^[ \t]*$/ { para = 1; next }

/^ *([-*]|[0-9]+\.) / {
	match($0, /^ */)
	want = RLENGTH / 2 + 1
	if (!in_list)
		depth = 0
	while (depth < want) {
		print ".RS " (depth ? 2 : 0)
		depth++
	}
	while (depth > want) {
		print ".RE"
		depth--
	}
	in_list = 1
	item = $0
	sub(/^ */, "", item)
	if (item ~ /^[-*] /) {
		bullet = "\\(bu"
		sub(/^[-*] /, "", item)
	} else {
		bullet = item
		sub(/ .*$/, "", bullet)
		sub(/^[0-9]+\. /, "", item)
	}
	print ".IP " bullet " 3"
	print inline(item)
	para = 0
	next
}

{
	if (in_list && para && $0 !~ /^ /)
		close_lists()
	if (para && !in_list)
		print ".PP"
	else if (para)
		print ".IP \"\" 3"
	para = 0
	line = $0
	sub(/^[ \t]+/, "", line)
	print inline(line)
}

END {
	flush_table()
	close_lists()
}
