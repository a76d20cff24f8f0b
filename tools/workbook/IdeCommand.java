package workbook;

import engine.Tool;
import ide.MavenBuild;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import kit.Style;
import picocli.CommandLine.Command;

@Command(name = "ide", mixinStandardHelpOptions = true,
         description = "Writes the Maven build IDEs import (pom.xml, ide/, .run/, .vscode/launch.json) from kit/src/kit/Deps.java and the lessons; then open the folder in IntelliJ IDEA, VS Code or Eclipse.")
public final class IdeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Path root = Tool.root();
        List<Path> written = new MavenBuild(root).write();
        if (written.isEmpty()) System.out.println("The IDE build is up to date with kit/src/kit/Deps.java and the lessons.");
        else System.out.println("Wrote " + written.size() + (written.size() == 1 ? " file: " : " files: ") + String.join(", ", written.stream().map(Path::toString).toList()));
        System.out.println(Style.dim("Open this folder in IntelliJ IDEA, VS Code (Extension Pack for Java) or Eclipse: each imports pom.xml as Maven projects."));
        return 0;
    }
}
