/** The {@code detkit} command line: training, evaluation and inspection tools. */
package io.detkit.tools;
