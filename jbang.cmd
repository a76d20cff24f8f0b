@echo off
rem Runs the JBang version this course is pinned to: the Windows twin of ./jbang (read the two side by side).
rem
rem Nothing needs to be installed first but a JDK 21+ and Maven: when the pinned JBang is not here yet, Maven
rem fetches it from Maven Central once, into .jbang-cli\ (git-ignored). The JDK is JAVA_HOME when it is 21 or
rem newer, otherwise the newest JDK 21+ that the registry or the usual install folders know of.
rem
rem What differs from ./jbang, and why:
rem  - SDKMAN and /usr/lib/jvm do not exist on Windows; the registry and the install folders of the common JDK
rem    builds (Temurin, Oracle, Microsoft, Zulu, Corretto, Liberica, IntelliJ's and scoop's) take their place.
rem  - No start-up cache for `workbook`: ./jbang records an AOT cache (JDK 25) or CDS archive and adds it to the
rem    check's JVM by rewriting the command JBang prints, which batch cannot do safely. Checks work the same and
rem    start about a third slower.
setlocal enabledelayedexpansion

rem Our tools print UTF-8 (check marks, arrows): switch the console to UTF-8 and back at the end.
for /f "tokens=2 delims=:" %%G in ('chcp') do set /a ORIGINAL_CP=%%G
chcp 65001 >nul

rem The pinned version lives in one place, the pom that fetches it (./jbang reads it there too).
set "JBANG_VERSION="
for /f "tokens=3 delims=<>" %%V in ('findstr /c:"<jbang.version>" "%~dp0tools\jbang-bootstrap.pom.xml"') do set "JBANG_VERSION=%%V"
if not defined JBANG_VERSION (
  echo jbang: no ^<jbang.version^> in tools\jbang-bootstrap.pom.xml 1>&2
  goto :end_with_error
)
set MIN_JAVA=21
set "ROOT=%~dp0"
set "CLI=%ROOT%.jbang-cli\%JBANG_VERSION%"

rem ---- a JDK 21 or newer ----
set FOUND=
set BEST=0
if defined JAVA_HOME (
  call :version "%JAVA_HOME%"
  if !V! GEQ %MIN_JAVA% (
    set "FOUND=%JAVA_HOME%"
  ) else if !V! GTR 0 (
    echo [jbang] JAVA_HOME is JDK !V!, older than %MIN_JAVA%: looking for a newer JDK on this machine 1>&2
  )
)
if not defined FOUND (
  for %%K in ("HKLM\SOFTWARE\JavaSoft\JDK" "HKLM\SOFTWARE\Eclipse Adoptium\JDK" "HKLM\SOFTWARE\Microsoft\JDK" "HKLM\SOFTWARE\Azul Systems\Zulu" "HKLM\SOFTWARE\BellSoft\Liberica") do (
    for /f "tokens=2,*" %%A in ('reg query %%K /s 2^>nul ^| findstr /r /c:"JavaHome " /c:"Path " /c:"InstallationPath "') do call :consider "%%~B"
  )
  for /d %%D in ("%ProgramFiles%\Java\*" "%ProgramFiles%\Eclipse Adoptium\*" "%ProgramFiles%\Microsoft\*" "%ProgramFiles%\Zulu\*" "%ProgramFiles%\Amazon Corretto\*" "%ProgramFiles%\BellSoft\*" "%LOCALAPPDATA%\Programs\Eclipse Adoptium\*" "%USERPROFILE%\.jdks\*" "%USERPROFILE%\scoop\apps\*jdk*" "%USERPROFILE%\.jbang\cache\jdks\*") do (
    call :consider "%%~D"
    if exist "%%~D\current\bin\javac.exe" call :consider "%%~D\current"
  )
  if defined FOUND echo [jbang] using the JDK !BEST! in !FOUND! 1>&2
)
if not defined FOUND (
  echo jbang: no JDK %MIN_JAVA% or newer found ^(looked at JAVA_HOME, the registry, Program Files, %%USERPROFILE%%\.jdks^). Install one, for example: winget install EclipseAdoptium.Temurin.25.JDK 1>&2
  goto :end_with_error
)
set "JAVA_HOME=%FOUND%"
set "PATH=%JAVA_HOME%\bin;%PATH%"

rem ---- the pinned JBang, fetched once through Maven ----
if not exist "%CLI%\.complete" (
  where mvn >nul 2>nul || (
    echo jbang: JBang %JBANG_VERSION% is not here yet and Maven ^(mvn^) is needed to fetch it once: install Maven, for example: winget install Apache.Maven 1>&2
    goto :end_with_error
  )
  echo [jbang] fetching JBang %JBANG_VERSION% from Maven Central ^(once^)... 1>&2
  if exist "%CLI%.tmp" rmdir /s /q "%CLI%.tmp"
  mkdir "%CLI%.tmp"
  call mvn -q -B -f "%ROOT%tools\jbang-bootstrap.pom.xml" -Djbang.version=%JBANG_VERSION% dependency:copy-dependencies "-DoutputDirectory=%CLI%.tmp" > "%CLI%.tmp\mvn.log" 2>&1
  if errorlevel 1 (
    type "%CLI%.tmp\mvn.log" 1>&2
    echo jbang: could not fetch JBang %JBANG_VERSION% through Maven ^(see the log above^) 1>&2
    goto :end_with_error
  )
  del "%CLI%.tmp\mvn.log"
  type nul > "%CLI%.tmp\.complete"
  if exist "%CLI%" rmdir /s /q "%CLI%"
  move "%CLI%.tmp" "%CLI%" >nul
)

rem ---- an alias that is also a folder here (site) is named with its catalog, or JBang takes the folder ----
set "ARGS=%*"
set "FIRST=%~1"
if defined FIRST if exist "%FIRST%\" (
  findstr /r /c:"^ *\"%FIRST%\": *{" "%ROOT%jbang-catalog.json" >nul && (
    call set "REST=%%ARGS:*%FIRST%=%%"
    set "ARGS=%FIRST%@%ROOT%jbang-catalog.json!REST!"
  )
)

rem ---- run JBang; it prints the command that runs the script and exits with 255, and we run that ----
rem JBang formats that command for the shell it is told of; its own JVM starts faster with C1 and a CDS archive.
set JBANG_RUNTIME_SHELL=cmd
set "JBANG_LAUNCH_CMD=%~f0"
2>nul >nul timeout /t 0 && (set JBANG_STDIN_NOTTY=false) || (set JBANG_STDIN_NOTTY=true)
set "OUTPUT_FILE=%TEMP%\jbang-%RANDOM%%RANDOM%.tmp"
"%JAVA_HOME%\bin\java.exe" -XX:TieredStopAtLevel=1 -XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=%CLI%\jbang.jsa" -Xshare:auto -Xlog:cds*=off -Xlog:cds+dynamic=off -classpath "%CLI%\*" dev.jbang.Main !ARGS! > "%OUTPUT_FILE%"
set STATUS=%ERRORLEVEL%
if not "%STATUS%"=="255" (
  type "%OUTPUT_FILE%"
  del /f /q "%OUTPUT_FILE%" >nul 2>nul
  chcp %ORIGINAL_CP% >nul
  exit /b %STATUS%
)
rem The command is one line (longer than set /p reads); it runs as a line of this script, as in JBang's own
rem jbang.cmd, with delayed expansion off so that a "!" in an argument stays a "!".
setlocal disabledelayedexpansion
for /f "usebackq delims=" %%L in ("%OUTPUT_FILE%") do (
  set "COMMAND=%%L"
  goto :run
)
:run
del /f /q "%OUTPUT_FILE%" >nul 2>nul
%COMMAND%
set STATUS=%ERRORLEVEL%
chcp %ORIGINAL_CP% >nul
exit /b %STATUS%

:end_with_error
chcp %ORIGINAL_CP% >nul
exit /b 1

rem ---- helpers ----

rem Sets V to the feature version (17, 21, 25) of the JDK in folder %1, or 0 when it is not a JDK.
:version
set V=0
if not exist "%~1\bin\javac.exe" exit /b 0
if not exist "%~1\release" exit /b 0
for /f "tokens=2 delims==" %%R in ('findstr /b "JAVA_VERSION=" "%~1\release"') do set "RAW=%%~R"
for /f "tokens=1 delims=." %%M in ("!RAW!") do set /a V=%%M 2>nul
exit /b 0

rem Keeps folder %1 as FOUND when it holds a JDK 21+ newer than the best one so far.
:consider
call :version "%~1"
if !V! GEQ %MIN_JAVA% if !V! GTR !BEST! (
  set "FOUND=%~1"
  set BEST=!V!
)
exit /b 0
