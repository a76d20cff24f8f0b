@echo off
rem Runs the JBang version this course is pinned to (see ./jbang for the Unix version of this script).
rem When the pinned JBang is not here yet, Maven fetches it from Maven Central once, into .jbang-cli\.
rem JBang needs a JDK 21 or newer: JAVA_HOME is used when it is new enough, otherwise the newest JDK found
rem under "%ProgramFiles%\Java", "%ProgramFiles%\Eclipse Adoptium" or "%USERPROFILE%\.jbang\cache\jdks".
setlocal enabledelayedexpansion

set JBANG_VERSION=0.127.18
set MIN_JAVA=21
set ROOT=%~dp0
set CLI=%ROOT%.jbang-cli\%JBANG_VERSION%

set FOUND=
if defined JAVA_HOME call :consider "%JAVA_HOME%"
if not defined FOUND for /d %%D in ("%ProgramFiles%\Java\*" "%ProgramFiles%\Eclipse Adoptium\*" "%ProgramFiles%\Microsoft\*" "%USERPROFILE%\.jbang\cache\jdks\*") do (
  if not defined FOUND call :consider "%%~D"
)
if not defined FOUND (
  echo jbang: no JDK %MIN_JAVA% or newer found. Install one, for example from https://adoptium.net, and set JAVA_HOME. 1>&2
  exit /b 1
)
set "JAVA_HOME=%FOUND%"
set "PATH=%JAVA_HOME%\bin;%PATH%"

if not exist "%CLI%\.complete" (
  where mvn >nul 2>nul || (echo jbang: Maven ^(mvn^) is needed once to fetch JBang %JBANG_VERSION% 1>&2 & exit /b 1)
  echo [jbang] fetching JBang %JBANG_VERSION% from Maven Central ^(once^)... 1>&2
  if exist "%CLI%.tmp" rmdir /s /q "%CLI%.tmp"
  call mvn -q -B -f "%ROOT%tools\jbang-bootstrap.pom.xml" -Djbang.version=%JBANG_VERSION% dependency:copy-dependencies "-DoutputDirectory=%CLI%.tmp" || (echo jbang: could not fetch JBang through Maven 1>&2 & exit /b 1)
  type nul > "%CLI%.tmp\.complete"
  if exist "%CLI%" rmdir /s /q "%CLI%"
  move "%CLI%.tmp" "%CLI%" >nul
)

rem "jbang site" run from the root names both the catalog's alias and the folder site\, and JBang prefers the
rem folder: name the alias with its catalog instead (site@...\jbang-catalog.json).
set "ARGS=%*"
if /i "%~1"=="site" if exist "site\" set "ARGS=site@%ROOT%jbang-catalog.json!ARGS:~4!"

rem JBang prints the command that runs the script and exits with 255; we run that command.
set "OUTPUT_FILE=%TEMP%\jbang-%RANDOM%%RANDOM%.cmd"
"%JAVA_HOME%\bin\java" -classpath "%CLI%\*" dev.jbang.Main !ARGS! > "%OUTPUT_FILE%"
set STATUS=%ERRORLEVEL%
if "%STATUS%"=="255" (
  call "%OUTPUT_FILE%"
  set STATUS=!ERRORLEVEL!
) else (
  type "%OUTPUT_FILE%"
)
del "%OUTPUT_FILE%" >nul 2>nul
exit /b %STATUS%

:consider
set "CANDIDATE=%~1"
if not exist "%CANDIDATE%\bin\javac.exe" exit /b 0
if not exist "%CANDIDATE%\release" exit /b 0
for /f "tokens=2 delims==" %%V in ('findstr /b "JAVA_VERSION=" "%CANDIDATE%\release"') do set "V=%%~V"
for /f "tokens=1 delims=." %%M in ("!V!") do set MAJOR=%%M
if !MAJOR! GEQ %MIN_JAVA% set "FOUND=%CANDIDATE%"
exit /b 0
