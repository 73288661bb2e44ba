/* SPDX-License-Identifier: MIT */
/*
 * The dtc-like text syntax: a bison grammar for device-tree source, as dtc
 * reads it, restricted to what a board needs. Actions only build a generic
 * tree (dts-tree.h); dts-tree.c merges the top-level blocks and resolves
 * references, and dts-source.c turns the tree into the board IR.
 *
 * Syntax errors are reported by yyreport_syntax_error() (bison's custom
 * error reporting) from what the parser expected at that point ("expected
 * ';' after property 'irqs'"); the error rules below resynchronise after a
 * missing ';' or at the next ';', so one run reports every mistake. The
 * lexer keeps the tokens and open nodes those messages name.
 */

%define api.prefix {dts_}
%define parse.error custom
%define parse.lac full
%locations

%code requires {
#include <stdbool.h>
#include <stdint.h>

#include "srcpos.h"

#define DTS_LTYPE struct srcpos
#define DTS_LTYPE_IS_DECLARED 1

/* The location of a rule: from its first to its last symbol. */
#define YYLLOC_DEFAULT(cur, rhs, n)					\
	do {								\
		if (n) {						\
			(cur) = YYRHSLOC(rhs, 1);			\
			(cur).last_line = YYRHSLOC(rhs, n).last_line;	\
			(cur).last_column = YYRHSLOC(rhs, n).last_column; \
		} else {						\
			(cur) = YYRHSLOC(rhs, 0);			\
			(cur).first_line = (cur).last_line;		\
			(cur).first_column = (cur).last_column;		\
		}							\
	} while (0)

#include "dts-tree.h"

/* dts-lexer.l */
int dts_lex(void);
const char *dts_lexer_token_text(void);
struct srcpos dts_lexer_prev_end(void);
bool dts_lexer_open_node(const char **name, struct srcpos *pos);
const char *dts_lexer_last_name(void);
const char *dts_lexer_closed_node(void);
const char *dts_lexer_prev_text(void);
bool dts_lexer_start(const char *file);
bool dts_lexer_first_eof_error(void);
void dts_lexer_finish(void);
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only for bison's own failures: syntax errors go through the reporter. */
static void yyerror(const char *msg)
{
	diag_error(&yylloc, NULL, "%s", msg);
}

static uint64_t expr_div(uint64_t a, uint64_t b, bool mod,
			 const struct srcpos *pos)
{
	if (!b) {
		diag_error(pos, NULL, "division by zero in a cell expression");
		return 0;
	}
	return mod ? a % b : a / b;
}
}

%union {
	char *str;
	struct dt_literal lit;
	uint64_t num;
	struct dt_cell cell;
	struct dt_chunk *chunk;
	struct dt_prop *prop;
	struct dt_node *node;
	struct dt_label *label;
}

%token DT_V1 "'/dts-v1/'"
%token DT_BITS "'/bits/'"
%token <str> DT_NAME "a name"
%token <str> DT_LABEL "a label"
%token <str> DT_REF "a &reference"
%token <str> DT_STRING "a \"string\""
%token <lit> DT_LITERAL "a number"
%token DT_LSHIFT "'<<'"
%token DT_RSHIFT "'>>'"

/* What error recovery throws away. */
%destructor { free($$); } <str>
%destructor { free($$.text); } <lit>
%destructor { free($$.text); free($$.ref); } <cell>
%destructor { dt_chunks_free($$); } <chunk>
%destructor { dt_prop_free($$); } <prop>
%destructor { dt_node_free($$); } <node>
%destructor { dt_labels_free($$); } <label>

%type <chunk> value chunk cells
%type <prop> prop
%type <node> nodedef stmts subnode
%type <label> labels
%type <cell> cell
%type <num> expr

%left '|'
%left '^'
%left '&'
%left DT_LSHIFT DT_RSHIFT
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY

%%

file:
	  headers items
	;

headers:
	  header
	| headers header
	;

header:
	  DT_V1 ';'
	;

items:
	  %empty
	| items item
	;

item:
	  '/' nodedef
		{ $2->pos = @1; dt_root_merge($2); }
	| DT_REF nodedef
		{ dt_ext_add($1, $2, &@1); }
	| error ';'
	;

nodedef:
	  '{' stmts '}' ';'
		{ $$ = $2; }
	| '{' stmts '}' error
		{ $$ = $2; yyerrok; }
	;

stmts:
	  %empty
		{ $$ = dt_node_new(); }
	| stmts prop
		{ $$ = $1; dt_node_add_prop($$, $2); }
	| stmts subnode
		{ $$ = $1; dt_node_add_child($$, $2); }
	| stmts error ';'
		{ $$ = $1; yyerrok; }
	;

prop:
	  DT_NAME '=' value ';'
		{ $$ = dt_prop_new($1, $3, &@1, &@3); }
	| DT_NAME ';'
		{ $$ = dt_prop_new($1, NULL, &@1, &@1); }
	| DT_NAME '=' value error
		{ $$ = dt_prop_new($1, $3, &@1, &@3); yyerrok; }
	;

subnode:
	  DT_NAME nodedef
		{ $$ = $2; $$->name = $1; $$->pos = @1; }
	| labels DT_NAME nodedef
		{ $$ = $3; $$->name = $2; $$->pos = @2; $$->labels = $1; }
	| DT_NAME '='
		{
			diag_error(&@2, NULL, "'%s = {': a node takes no '=', "
				   "write '%s {'", $1, $1);
		}
	  nodedef
		{ $$ = $4; $$->name = $1; $$->pos = @1; }
	;

labels:
	  DT_LABEL
		{ $$ = dt_label_append(NULL, $1, &@1); }
	| labels DT_LABEL
		{ $$ = dt_label_append($1, $2, &@2); }
	;

value:
	  chunk
	| value ',' chunk
		{ $$ = dt_chunk_append($1, $3); }
	;

chunk:
	  DT_STRING
		{ $$ = dt_chunk_string($1, &@1); }
	| '<' cells '>'
		{ $$ = $2; $$->pos = @$; dt_chunk_check($$); }
	| DT_BITS DT_LITERAL '<' cells '>'
		{
			$$ = $4;
			$$->pos = @$;
			free($2.text);
			if ($2.value != 8 && $2.value != 16 &&
			    $2.value != 32 && $2.value != 64)
				dt_bad_bits((unsigned)$2.value, &@2);
			else
				$$->bits = (unsigned)$2.value;
			dt_chunk_check($$);
		}
	;

cells:
	  %empty
		{ $$ = dt_chunk_cells(32, &@$); }
	| cells cell
		{ $$ = $1; dt_chunk_add_cell($$, &$2); }
	;

cell:
	  DT_LITERAL
		{ $$ = (struct dt_cell){ .value = $1.value, .text = $1.text,
					 .pos = @1 }; }
	| DT_REF
		{ $$ = (struct dt_cell){ .ref = $1, .pos = @1 }; }
	| '(' expr ')'
		{ $$ = (struct dt_cell){ .value = $2,
					 .pos = @$ }; }
	;

expr:
	  DT_LITERAL			{ $$ = $1.value; free($1.text); }
	| '(' expr ')'			{ $$ = $2; }
	| expr '+' expr			{ $$ = $1 + $3; }
	| expr '-' expr			{ $$ = $1 - $3; }
	| expr '*' expr			{ $$ = $1 * $3; }
	| expr '/' expr		{ $$ = expr_div($1, $3, false, &@3); }
	| expr '%' expr		{ $$ = expr_div($1, $3, true, &@3); }
	| expr DT_LSHIFT expr		{ $$ = $3 < 64 ? $1 << $3 : 0; }
	| expr DT_RSHIFT expr		{ $$ = $3 < 64 ? $1 >> $3 : 0; }
	| expr '&' expr			{ $$ = $1 & $3; }
	| expr '|' expr			{ $$ = $1 | $3; }
	| expr '^' expr			{ $$ = $1 ^ $3; }
	| '-' expr %prec UNARY		{ $$ = -$2; }
	| '~' expr %prec UNARY		{ $$ = ~$2; }
	;

%%

/* What a token is, for "found ..." in messages. */
static void token_describe(yysymbol_kind_t tok, char *buf, size_t size)
{
	if (tok == YYSYMBOL_YYEOF)
		snprintf(buf, size, "the end of the file");
	else if (tok == YYSYMBOL_DT_STRING)
		snprintf(buf, size, "a string");
	else
		snprintf(buf, size, "'%.60s'", dts_lexer_token_text());
}

static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t tok)
{
	for (int i = 0; i < n; i++)
		if (exp[i] == tok)
			return true;
	return false;
}

/* The same for a character token such as ';' (named "';'" by bison). */
static bool expects_char(const yysymbol_kind_t *exp, int n, char c)
{
	char quoted[4] = { '\'', c, '\'', '\0' };

	for (int i = 0; i < n; i++)
		if (!strcmp(yysymbol_name(exp[i]), quoted))
			return true;
	return false;
}

/* "';', '{' or a name": what would have fitted, for the general case. */
static void expected_list(const yysymbol_kind_t *exp, int n, char *buf,
			  size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? (i == n - 1 ? " or " : ", ") : "",
					 yysymbol_name(exp[i]));
}

/* Where a missing token belongs: just after the previous token. */
static void report_missing(const char *what, const char *after,
			   const char *name)
{
	struct srcpos end = dts_lexer_prev_end();

	diag_error(&end, NULL, "expected %s after %s '%s'", what, after, name);
}

/*
 * A useful message from what the parser expected: the common mistakes
 * get a sentence, anything else the list of what would have fitted.
 */
static void report_expected(const yysymbol_kind_t *exp, int n,
			    yysymbol_kind_t tok, const struct srcpos *at,
			    const char *found)
{
	const char *name = dts_lexer_last_name();
	const char *open;
	struct srcpos open_pos;
	char list[256];

	if (tok == YYSYMBOL_YYEOF && dts_lexer_open_node(&open, &open_pos)) {
		if (!dts_lexer_first_eof_error())
			return;		/* recovery meets it again */
		diag_error(at, NULL, "expected '};' to close node '%s' before "
			   "the end of the file", open);
		diag_note(&open_pos, "node '%s' starts here", open);
		return;
	}
	if (expects(exp, n, YYSYMBOL_DT_V1) && n == 1) {
		diag_error(at, NULL, "expected '/dts-v1/;' at the start of the "
			   "file, found %s", found);
		return;
	}
	if (expects_char(exp, n, ',') && expects_char(exp, n, ';')) {
		report_missing("';'", "property", name);
		return;
	}
	if (expects_char(exp, n, '=') && expects_char(exp, n, '{')) {
		diag_error(at, NULL, "expected '=', ';' or '{' after '%s', "
			   "found %s", name, found);
		return;
	}
	if (expects(exp, n, YYSYMBOL_DT_STRING) &&
	    expects(exp, n, YYSYMBOL_DT_BITS)) {
		diag_error(at, NULL, "expected a value (\"string\" or <cells>) "
			   "for property '%s', found %s", name, found);
		return;
	}
	if (expects(exp, n, YYSYMBOL_DT_LITERAL) &&
	    expects(exp, n, YYSYMBOL_DT_REF)) {
		diag_error(at, NULL, "expected a number, a &reference or '>' "
			   "in the cells of property '%s', found %s", name,
			   found);
		return;
	}
	if (expects(exp, n, YYSYMBOL_DT_NAME) && expects_char(exp, n, '}')) {
		dts_lexer_open_node(&open, &open_pos);
		diag_error(at, NULL, "expected a property, a node or '};' in "
			   "node '%s', found %s", open, found);
		return;
	}
	if (expects_char(exp, n, '/') && expects(exp, n, YYSYMBOL_DT_REF)) {
		diag_error(at, NULL, "expected '/ {' or '&label {' at the top "
			   "level, found %s", found);
		return;
	}
	if (n == 1 && expects_char(exp, n, ';')) {
		struct srcpos end = dts_lexer_prev_end();
		const char *closed = dts_lexer_closed_node();

		if (closed)
			diag_error(&end, NULL, "expected ';' after '}' of "
				   "node '%s'", closed);
		else
			diag_error(&end, NULL, "expected ';' after '%s'",
				   dts_lexer_prev_text());
		return;
	}
	expected_list(exp, n, list, sizeof(list));
	diag_error(at, NULL, "expected %s, found %s", list, found);
}

static int yyreport_syntax_error(const yypcontext_t *ctx)
{
	yysymbol_kind_t exp[16];
	yysymbol_kind_t tok = yypcontext_token(ctx);
	int n = yypcontext_expected_tokens(ctx, exp, 16);
	char found[96];

	token_describe(tok, found, sizeof(found));
	report_expected(exp, n < 0 ? 0 : n, tok, yypcontext_location(ctx),
			found);
	return 0;
}
