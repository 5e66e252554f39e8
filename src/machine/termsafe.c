/* SPDX-License-Identifier: MIT */
/*
 * Filtering what the machine prints before it reaches the terminal
 * (termsafe.h). Only the shape of text is touched: newline and tab stay,
 * every other control character becomes '?', so ESC sequences (CSI, OSC,
 * DCS) lose their introducer and are shown as harmless text. C1 controls
 * are caught as UTF-8 (0xC2 0x80-0x9F), which is how a UTF-8 terminal
 * reads them; a lone byte in 0x80-0x9F is not valid UTF-8 and is left to
 * the terminal's decoder, which shows a replacement character.
 */
#include <string.h>

#include "termsafe.h"
#include "lib/banned.h"

void
term_clean(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;

	if (s == NULL)
		return;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' || p[i] == '\t')
			continue;
		if (p[i] < 0x20 || p[i] == 0x7f)
			p[i] = '?';
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			p[i] = '?';
			p[i + 1] = '?';
			i++;
		}
	}
}

void
term_clean_str(char *s)
{
	if (s != NULL)
		term_clean(s, strlen(s));
}
