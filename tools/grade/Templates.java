package grade;

/** The grader's pages, as Mustache templates ({{x}} is HTML-escaped). One file each would need a resource path under JBang; text blocks keep them next to the code. */
final class Templates {
    private Templates() {}

    private static final String STYLE = """
        <style>
          body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d2125; }
          h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .4rem; }
          .dim { color: #6b7378; } .score { font-weight: 600; }
          .badge { display: inline-block; padding: .05rem .5rem; border-radius: .6rem; font-size: .8rem; background: #eceff1; margin-left: .4rem; }
          .badge.problem { background: #fde2e1; color: #8a1c17; } .badge.full { background: #dff3e3; color: #1d6b2f; }
          table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eceff1; vertical-align: top; }
          th { font-weight: 600; font-size: .85rem; color: #4a5156; }
          td.mark { width: 1.2rem; font-weight: 700; } tr.passed td.mark { color: #1d6b2f; } tr.failed td.mark { color: #b3261e; } tr.not_run td.mark { color: #8a9196; }
          pre { background: #f6f8fa; padding: .6rem .8rem; border-radius: .3rem; overflow-x: auto; white-space: pre-wrap; margin: .3rem 0; font-size: .85rem; }
          .hint { color: #5b4a00; background: #fff7d6; padding: .2rem .5rem; border-radius: .3rem; margin: .2rem 0; font-size: .9rem; }
          .note { background: #fff4e5; border-left: 4px solid #f0a020; padding: .4rem .7rem; margin: .4rem 0; white-space: pre-wrap; }
          td.rate { white-space: nowrap; } tr.not_run pre { color: #6b7378; }
          .bar { background: #eceff1; height: .7rem; width: 10rem; display: inline-block; border-radius: .35rem; overflow: hidden; vertical-align: middle; }
          .bar > span { display: block; height: 100%; background: #3b7ddd; }
          .histogram { display: flex; align-items: flex-end; gap: .3rem; height: 10rem; margin: 1rem 0 .2rem; }
          .histogram div { flex: 1; background: #3b7ddd; min-height: 1px; border-radius: .2rem .2rem 0 0; position: relative; }
          .histogram div span { position: absolute; top: -1.3rem; width: 100%; text-align: center; font-size: .8rem; }
          .labels { display: flex; gap: .3rem; } .labels div { flex: 1; text-align: center; font-size: .75rem; color: #6b7378; }
          td.full { background: #dff3e3; } td.partial { background: #fff7d6; } td.problem { background: #fde2e1; } td.missing { color: #8a9196; }
          details summary { cursor: pointer; color: #3b5b8a; }
          .note.review { background: #fde2e1; border-left-color: #b3261e; }
        </style>
        """;

    static final String FEEDBACK = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Feedback for {{student}}</title>
        """ + STYLE + """
        </head><body>
        <h1>Feedback for {{student}}</h1>
        <p class="dim">Microservices Patterns Workbook · graded {{when}}</p>
        <p class="score">Total: {{score}} of {{max}} points</p>
        {{#notes}}<div class="note">{{.}}</div>{{/notes}}
        {{#exercises}}
        <h2 id="{{id}}">{{id}} <span class="dim">· {{title}}</span></h2>
        <p><span class="score">{{score}} / {{max}} points</span> · {{passed}} of {{count}} tests pass
          {{#problem}}<span class="badge problem">{{outcome}}</span>{{/problem}}{{#full}}<span class="badge full">full marks</span>{{/full}}</p>
        {{#note}}<div class="note">{{note}}</div>{{/note}}
        {{#review}}<div class="note review">Flagged for review: {{review}}</div>{{/review}}
        {{#compileErrors}}<p>javac's messages:</p><pre>{{compileErrors}}</pre>{{/compileErrors}}
        <table>
          {{#tests}}
          <tr class="{{status}}"><td class="mark">{{mark}}</td>
            <td>{{name}}{{#hidden}} <span class="badge">hidden test</span>{{/hidden}}
              {{#message}}<pre>{{message}}</pre>{{/message}}
              {{#hints}}<div class="hint">Hint: {{.}}</div>{{/hints}}</td>
            <td class="dim">{{score}}/{{points}}</td></tr>
          {{/tests}}
        </table>
        {{#output}}<details><summary>What the code printed</summary><pre>{{output}}</pre></details>{{/output}}
        {{/exercises}}
        </body></html>
        """;

    static final String SUMMARY = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        """ + STYLE + """
        </head><body>
        <h1>{{title}}</h1>
        <p class="dim">Microservices Patterns Workbook · graded {{when}}</p>
        <p>{{count}} students · median {{median}} and mean {{mean}} of {{max}} points</p>
        {{#notes}}<div class="note">{{.}}</div>{{/notes}}
        {{#anyFlagged}}
        <h2>For review</h2>
        <p>These exercises wrote grader events of their own: their results may be forged. Read their code.</p>
        <table>
          <tr><th>student</th><th>exercise</th><th>why</th></tr>
          {{#flagged}}<tr class="failed"><td><a href="{{href}}#{{id}}">{{student}}</a></td><td>{{id}}</td><td>{{why}}</td></tr>{{/flagged}}
        </table>
        {{/anyFlagged}}

        <h2>Totals</h2>
        <div class="histogram">{{#histogram}}<div style="height: {{height}}%"><span>{{count}}</span></div>{{/histogram}}</div>
        <div class="labels">{{#histogram}}<div>{{range}}</div>{{/histogram}}</div>

        <h2>Exercises</h2>
        <table>
          <tr><th>exercise</th><th>full marks</th><th>mean</th><th>problems</th></tr>
          {{#exercises}}
          <tr><td><a href="#{{id}}">{{id}}</a></td><td class="rate"><span class="bar"><span style="width: {{fullPct}}%"></span></span> {{fullPct}}% ({{full}})</td>
            <td>{{mean}} / {{max}}</td><td class="dim">{{problems}}</td></tr>
          {{/exercises}}
        </table>

        {{#exercises}}
        <h2 id="{{id}}">{{id}}: each test</h2>
        <table>
          <tr><th>test</th><th>students passing</th></tr>
          {{#tests}}<tr><td>{{name}}</td><td class="rate"><span class="bar"><span style="width: {{pct}}%"></span></span> {{pct}}% ({{passed}}/{{of}})</td></tr>{{/tests}}
        </table>
        {{/exercises}}

        <h2>Students</h2>
        <table>
          <tr><th>student</th>{{#ids}}<th>{{.}}</th>{{/ids}}<th>total</th></tr>
          {{#students}}
          <tr><td><a href="{{href}}">{{name}}</a></td>{{#cells}}<td class="{{cls}}">{{score}}</td>{{/cells}}<td class="score">{{score}} / {{max}}</td></tr>
          {{/students}}
        </table>
        </body></html>
        """;
}
