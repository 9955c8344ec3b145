"""Reports people read and keep: the debrief of an exercise as HTML, PDF and XLSX.

`sections.sections(debrief, team)` turns a `server.core.debrief.Debrief` into a list of
`Section(title, table, chart)`: the same list makes every format, so a new section (the
evaluators' observations, say) is a few lines in one place. `charts` draws the charts as plain
shapes; `svg` writes them inline in the HTML, `pdf` draws them with reportlab. `write` writes the
files for the whole exercise and for each team.
"""
